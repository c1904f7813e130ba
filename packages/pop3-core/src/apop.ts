// APOP (RFC 1939 §7): the server's greeting carries a timestamp "<process-ID.clock@hostname>";
// the client sends MD5(timestamp + shared secret) as 32 lower-case hex digits.
import { createHash, timingSafeEqual } from 'node:crypto';
import { LocalProtocolError } from './errors.js';

// RFC 2449 §3: timestamp = "<" *VCHAR ">", which MUST conform to an RFC 822 msg-id.
const TIMESTAMP = /<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>/;

/** The APOP digest: MD5 of the timestamp (brackets included) followed by the secret, in hex. */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash('md5').update(timestamp, 'utf8').update(secret, 'utf8').digest('hex');
}

/** Whether `digest` is the APOP digest of `timestamp` and `secret`, compared in constant time. */
export function apopMatches(timestamp: string, secret: string, digest: string): boolean {
  const expected = Buffer.from(apopDigest(timestamp, secret), 'latin1');
  const given = Buffer.from(digest.toLowerCase(), 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The APOP timestamp inside a greeting's text, if the server offered one. */
export function parseApopTimestamp(greetingText: string): string | undefined {
  return TIMESTAMP.exec(greetingText)?.[0];
}

/** Builds the timestamp `<pid.clock@host>` (RFC 1939 §7); `clock` is the caller's, the core keeps none. */
export function formatApopTimestamp(pid: number, clock: number, host: string): string {
  const timestamp = `<${pid}.${clock}@${host}>`;
  if (!/^<[0-9]+\.[0-9]+@/.test(timestamp) || parseApopTimestamp(timestamp) !== timestamp) {
    throw new LocalProtocolError('invalid-value', `cannot build an APOP timestamp from ${JSON.stringify(timestamp)}`);
  }
  return timestamp;
}
