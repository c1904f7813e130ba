// POP3 responses (RFC 1939 §3, RFC 2449 §3 and §8, RFC 5034 §5): the server encodes them from
// `Pop3Reply` values, the client decodes status lines into `Pop3Response` values.
import { encodeBase64 } from './base64.js';
import { LocalProtocolError } from './errors.js';
import type { Maildrop } from './maildrop.js';
import { MultilineEncoder } from './multiline.js';

/**
 * An extended response code (RFC 2449 §8): `[IN-USE]`, `[LOGIN-DELAY]` (RFC 2449 §8.1),
 * `[SYS/TEMP]`, `[SYS/PERM]`, `[AUTH]` (RFC 3206), or another registered hierarchical code.
 */
export type RespCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH' | (string & {});

/** What the application (or the core's suggestion) answers through `Pop3ServerSession.send()`. */
export type Pop3Reply =
  | { type: 'ok'; text?: string; code?: RespCode } // "+OK [code] text"
  | { type: 'err'; text: string; code?: RespCode } // "-ERR [code] text"
  | { type: 'lines'; text?: string; lines: readonly string[] } // "+OK text", the lines byte-stuffed, "."
  | { type: 'challenge'; data: Uint8Array } // RFC 5034 §4: "+ " base64
  | { type: 'login-ok'; maildrop: Maildrop; text?: string }; // "+OK text", then TRANSACTION

/** A status line as the client sees it (RFC 2449 §3 single-line, with the optional resp-code). */
export interface Pop3Response {
  ok: boolean;
  /** The resp-code without brackets, upper-cased (RFC 2449 §8: case-insensitive), e.g. `SYS/TEMP`. */
  code?: string;
  text: string;
}

// RFC 1939 §3 / RFC 2449 §4: the first line of a response is at most 512 octets including CRLF.
const MAX_STATUS_LINE_BYTES = 512;
// RFC 2449 §3: resp-level = 1*rchar (printable ASCII except "/" and "]"), levels joined by "/".
const RESP_CODE = /^[\x21-\x2e\x30-\x5c\x5e-\x7e]+(\/[\x21-\x2e\x30-\x5c\x5e-\x7e]+)*$/;

const encoder = new TextEncoder();

/** Throws unless `text` can travel inside one response line (no CR, LF, NUL or other controls). */
export function assertLineText(text: string, what: string): void {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text)) {
    throw new LocalProtocolError('invalid-value', `${what} contains a control character: ${JSON.stringify(text)}`);
  }
}

/** Encodes "+OK"/"-ERR", the optional `[code]` and the text as one CRLF-terminated line. */
export function encodeStatusLine(ok: boolean, text: string | undefined, code?: RespCode): Uint8Array {
  if (code !== undefined && !RESP_CODE.test(code)) {
    throw new LocalProtocolError('invalid-value', `invalid response code ${JSON.stringify(code)}`);
  }
  let line = ok ? '+OK' : '-ERR';
  if (code !== undefined) line += ` [${code}]`;
  if (text) line += ` ${text}`;
  assertLineText(line, 'response');
  // Buffer.from takes small strings from Node's pool: no ArrayBuffer of its own per reply.
  const bytes = Buffer.from(`${line}\r\n`);
  if (bytes.length > MAX_STATUS_LINE_BYTES) {
    throw new LocalProtocolError('invalid-value', `response line of ${bytes.length} octets exceeds 512 (RFC 1939 §3)`);
  }
  return bytes;
}

/**
 * Decodes a status line without its CRLF. Lenient: "+ok"/"-err" in lower case are accepted (servers
 * MUST send upper case, RFC 1939 §3, but a client gains nothing by refusing).
 */
export function decodeStatusLine(line: string): { ok: true; value: Pop3Response } | { ok: false; error: string } {
  const match = /^(\+OK|-ERR)(?: (.*))?$/is.exec(line);
  if (!match) return { ok: false, error: `not a POP3 status line: ${JSON.stringify(line.slice(0, 80))}` };
  const ok = match[1]!.toUpperCase() === '+OK';
  const rest = match[2] ?? '';
  const coded = /^\[([^\]]*)\] ?(.*)$/s.exec(rest);
  if (coded && RESP_CODE.test(coded[1]!)) {
    return { ok: true, value: { ok, code: coded[1]!.toUpperCase(), text: coded[2]! } };
  }
  return { ok: true, value: { ok, text: rest } };
}

/** The wire form of a reply: one status line, a multi-line listing, or a SASL challenge. */
export function encodeReply(reply: Pop3Reply): Uint8Array {
  switch (reply.type) {
    case 'ok':
      return encodeStatusLine(true, reply.text, reply.code);
    case 'err':
      return encodeStatusLine(false, reply.text, reply.code);
    case 'login-ok':
      return encodeStatusLine(true, reply.text);
    case 'challenge':
      // RFC 5034 §4: "+" SP base64; an empty challenge is "+" and a single space.
      return encoder.encode(`+ ${encodeBase64(reply.data)}\r\n`);
    case 'lines': {
      reply.lines.forEach((line) => assertLineText(line, 'listing line'));
      const body = new MultilineEncoder();
      const parts = [encodeStatusLine(true, reply.text), body.encode(encoder.encode(reply.lines.map((l) => `${l}\r\n`).join(''))), body.end()];
      return new Uint8Array(Buffer.concat(parts));
    }
  }
}
