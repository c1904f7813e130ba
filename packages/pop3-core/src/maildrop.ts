// The maildrop as the TRANSACTION state sees it (RFC 1939 §5): message numbers are 1-based and
// stay fixed for the session; DELE only marks, RSET unmarks, and the marks are applied by the
// application in the UPDATE state (RFC 1939 §6). Marks live in one byte array owned by the
// session: copying a set on every DELE would make deleting n messages cost O(n²).
import { LocalProtocolError } from './errors.js';

/** One message of the maildrop, as the application describes it at login. */
export interface MessageInfo {
  /** Exact size in octets with CRLF line ends, before byte-stuffing (RFC 1939 §5 LIST). */
  sizeBytes: number;
  /** Unique-id: 1 to 70 characters in 0x21-0x7E (RFC 1939 §7 UIDL). */
  uidl: string;
}

/** The maildrop the application opened for the session; message n is `messages[n - 1]`. */
export interface Maildrop {
  messages: readonly MessageInfo[];
}

/** A line of a scan listing or unique-id listing. */
export interface ListingEntry {
  msg: number;
  sizeBytes: number;
  uidl: string;
}

const UIDL = /^[\x21-\x7e]{1,70}$/;

/** Throws `LocalProtocolError` unless every size is a non-negative integer and every unique-id is valid. */
export function assertMaildrop(maildrop: Maildrop): void {
  maildrop.messages.forEach((m, i) => {
    if (!Number.isSafeInteger(m.sizeBytes) || m.sizeBytes < 0) {
      throw new LocalProtocolError('invalid-value', `message ${i + 1}: invalid sizeBytes ${m.sizeBytes}`);
    }
    if (!UIDL.test(m.uidl)) {
      throw new LocalProtocolError('invalid-value', `message ${i + 1}: invalid unique-id ${JSON.stringify(m.uidl)}`);
    }
  });
}

/** The maildrop with its deletion marks. */
export class MarkedMaildrop {
  readonly #messages: readonly MessageInfo[];
  readonly #deleted: Uint8Array;
  #count = 0;
  #sizeBytes = 0;

  constructor(maildrop: Maildrop) {
    assertMaildrop(maildrop);
    this.#messages = maildrop.messages;
    this.#deleted = new Uint8Array(maildrop.messages.length);
    this.unmarkAll();
  }

  /** RFC 1939 §5 STAT: count and total size of the messages not marked as deleted. */
  get count(): number {
    return this.#count;
  }

  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** The message numbered `msg`, or why it may not be referred to (RFC 1939 §5). */
  lookup(msg: number): ListingEntry | 'no-such-message' | 'already-deleted' {
    const info = this.#messages[msg - 1];
    if (info === undefined || msg < 1) return 'no-such-message';
    if (this.#deleted[msg - 1]) return 'already-deleted';
    return { msg, sizeBytes: info.sizeBytes, uidl: info.uidl };
  }

  /** The messages not marked as deleted, in order. */
  *entries(): Generator<ListingEntry> {
    for (let i = 0; i < this.#messages.length; i++) {
      if (!this.#deleted[i]) yield { msg: i + 1, sizeBytes: this.#messages[i]!.sizeBytes, uidl: this.#messages[i]!.uidl };
    }
  }

  /** Marks `msg` (already checked with `lookup`) as deleted. */
  mark(msg: number): void {
    this.#deleted[msg - 1] = 1;
    this.#count -= 1;
    this.#sizeBytes -= this.#messages[msg - 1]!.sizeBytes;
  }

  /** Count and total size of all messages, marked or not (what RSET restores). */
  get total(): { count: number; sizeBytes: number } {
    return { count: this.#messages.length, sizeBytes: this.#messages.reduce((sum, m) => sum + m.sizeBytes, 0) };
  }

  /** RFC 1939 §5 RSET: unmarks every message. */
  unmarkAll(): void {
    this.#deleted.fill(0);
    ({ count: this.#count, sizeBytes: this.#sizeBytes } = this.total);
  }

  /** The numbers of the messages marked as deleted, ascending. */
  marked(): number[] {
    const out: number[] = [];
    this.#deleted.forEach((d, i) => {
      if (d) out.push(i + 1);
    });
    return out;
  }
}
