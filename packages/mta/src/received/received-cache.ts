/**
 * Received fields formatted once per client, recipient and second. A field names the client's
 * HELO and address, our name, the protocol, the one recipient and the date to the second (RFC
 * 5322 §3.3): messages from one client in the same second get the same text, and a busy client
 * sends many (measured in bench/mta: ~20 µs per message of parsing, checking, folding and date
 * formatting, on serve's event loop, for a field that had not changed).
 */
import { DEFAULT_RECEIVED_SOFTWARE, formatReceived, type ReceivedInfo } from './received.js';

/** Remembers the last fields made (at most `limit`, then forgotten at once: no growth from a spray of clients). */
export class ReceivedFieldCache {
  readonly #fields = new Map<string, string>();
  readonly #limit: number;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  /** formatReceived(info), from the cache when an equal field was made in the same second. */
  format(info: ReceivedInfo): string {
    const only = info.recipients?.length === 1 ? info.recipients[0] : undefined;
    // NUL separates the key's parts; the client chooses HELO and recipient, so a NUL in either
    // (which the SMTP core never lets through) could make two different fields share a key.
    if (info.helo?.includes('\0') || only?.includes('\0')) return formatReceived(info);
    const tls = info.tls === undefined ? '' : `${info.tls.protocol}\0${info.tls.cipher}\0${info.tls.bits ?? ''}`;
    const key = [
      Math.floor(info.date.getTime() / 1000),
      info.helo ?? '',
      info.clientAddress,
      info.clientHostname ?? '',
      info.by,
      info.protocol,
      info.id ?? '',
      only === undefined ? '' : `<${only}`,
      tls,
      // The text formatReceived writes: an absent software and the default share a key, '' does not.
      info.software ?? DEFAULT_RECEIVED_SOFTWARE,
    ].join('\0');
    let field = this.#fields.get(key);
    if (field === undefined) {
      field = formatReceived(info);
      if (this.#fields.size >= this.#limit) this.#fields.clear();
      this.#fields.set(key, field);
    }
    return field;
  }
}
