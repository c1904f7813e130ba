import { LocalProtocolError, MailError } from '@mailstack/errors';
import type { Pop3Reply } from './reply.js';

export { LocalProtocolError, MailError };

/**
 * What a peer (or the login check) got wrong. The server core reports the peer's errors as
 * `rejected` events; the login codes are for the application, which decides authentication.
 */
export type Pop3ErrorCode =
  | 'unknown-command' // RFC 1939 §3: unrecognized or unimplemented command
  | 'syntax' // RFC 1939 §3: syntactically invalid command
  | 'wrong-state' // RFC 1939 §3: command issued in an incorrect state
  | 'line-too-long' // RFC 2449 §4: 255 octets per command, RFC 5034 §4 for SASL lines
  | 'no-such-message' // RFC 1939 §5: out of range or marked as deleted
  | 'already-deleted' // RFC 1939 §5 DELE: "-ERR message 2 already deleted"
  | 'tls-active' // RFC 2595 §4: STLS while a security layer is active
  | 'auth-cancelled' // RFC 5034 §4: the client sent "*"
  | 'bad-base64' // RFC 5034 §4: MUST reject undecodable responses
  | 'too-many-errors' // ours: the session closes after `maxErrors` protocol errors
  | 'auth-failed' // RFC 3206 §5: the same answer for an unknown user and a wrong password (SPEC.md §7)
  | 'in-use' // RFC 2449 §8.1.2: authenticated, but the maildrop is locked
  | 'login-delay' // RFC 2449 §8.1.1
  | 'sys-temp' // RFC 3206 §4
  | 'sys-perm'; // RFC 3206 §4

/** One table from problem to wire answer (RFC 2449 §8 and RFC 3206 response codes). */
export const REPLY_FOR: Readonly<Record<Pop3ErrorCode, Pop3Reply>> = {
  'unknown-command': { type: 'err', text: 'Unknown command' },
  'syntax': { type: 'err', text: 'Syntax error' },
  'wrong-state': { type: 'err', text: 'Command not valid in this state' },
  'line-too-long': { type: 'err', text: 'Line too long' },
  'no-such-message': { type: 'err', text: 'no such message' }, // RFC 1939 §5 wording
  'already-deleted': { type: 'err', text: 'message already deleted' },
  'tls-active': { type: 'err', text: 'Command not permitted when TLS active' },
  'auth-cancelled': { type: 'err', text: 'Authentication cancelled' },
  'bad-base64': { type: 'err', text: 'Invalid base64 data' },
  'too-many-errors': { type: 'err', text: 'Too many bad commands, closing connection' },
  'auth-failed': { type: 'err', code: 'AUTH', text: 'Authentication failed' },
  'in-use': { type: 'err', code: 'IN-USE', text: 'Maildrop is locked by another session' },
  'login-delay': { type: 'err', code: 'LOGIN-DELAY', text: 'Logged in too recently, try again later' },
  'sys-temp': { type: 'err', code: 'SYS/TEMP', text: 'Temporary system error, try again later' },
  'sys-perm': { type: 'err', code: 'SYS/PERM', text: 'System error, contact your administrator' },
};

/** Shortens and masks bytes (AUTH payloads, discarded input) before they reach a log or an error message. */
export function redact(bytes: Uint8Array, keep = 0): string {
  const shown = Buffer.from(bytes.subarray(0, Math.min(keep, bytes.length))).toString('latin1');
  return `${shown.replace(/[^\x20-\x7e]/g, '?')}[${bytes.length - shown.length} bytes redacted]`;
}

/** Exhaustiveness check for `switch` over a discriminated union (STYLE.md §3). */
export function assertNever(value: never): never {
  throw new LocalProtocolError('invalid-value', `unexpected value ${JSON.stringify(value)}`);
}
