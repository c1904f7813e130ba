// Generated identifiers: Message-ID (RFC 5322 §3.6.4) and multipart boundaries (RFC 2046 §5.1.1).
import { MimeError } from '../errors.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * A Message-ID without angle brackets, `<time base 36>.<16 random bytes hex>@domain`: unique by
 * randomness, the time only helps people reading logs (RFC 5322 §3.6.4 asks for uniqueness).
 */
export function generateMessageId(now: Date, random: (size: number) => Uint8Array, domain: string): string {
  if (!/^[A-Za-z0-9.-]+$/.test(domain) && !/^\[[^\[\]\\\s]+\]$/.test(domain)) {
    throw new MimeError('invalid-value', `messageIdDomain is not a domain: ${JSON.stringify(domain)}`);
  }
  return `${now.getTime().toString(36)}.${hex(random(16))}@${domain}`;
}

/**
 * A boundary (RFC 2046 §5.1.1, at most 70 characters) of 96 random bits. "=_" can never occur in
 * quoted-printable or base64 output, so only 7bit/8bit parts could contain it, with chance 2^-96.
 */
export function generateBoundary(random: (size: number) => Uint8Array): string {
  return `=_mailstack_${hex(random(12))}`;
}

/** An identifier (Message-ID, Content-ID) without the angle brackets it may have been given with. */
export function stripAngles(id: string): string {
  return id.trim().replace(/^<(.*)>$/s, '$1');
}
