/**
 * Reply codec (RFC 5321 §4.2): `code SP text CRLF`, multi-line as `code "-" text CRLF` lines ending
 * with `code SP text CRLF`. Enhanced status codes (RFC 2034 §4, RFC 3463 §2) prefix the text of
 * every line.
 */
import type { DecodeResult } from './decode-result.js';

/** An SMTP reply: three-digit code, optional enhanced status code, one text line or several. */
export interface Reply {
  readonly code: number;
  readonly enhanced?: string;
  readonly text: string | readonly string[];
}

/** The text lines of a reply as an array (a one-line reply gives one element). */
export function replyLines(reply: Reply): readonly string[] {
  return typeof reply.text === 'string' ? [reply.text] : reply.text;
}

// RFC 3463 §2: status-code = class "." subject "." detail; class is 2, 4 or 5; subject and detail
// are 1-3 digits. RFC 2034 §4: the class must match the first digit of the reply code.
const encoder = new TextEncoder();
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})$/;
const ENHANCED_PREFIX = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/;

/** Whether `code` is a valid reply code and `enhanced` (if any) is a status code of the same class. */
export function isValidReply(reply: Reply): boolean {
  if (!Number.isInteger(reply.code) || reply.code < 200 || reply.code > 599) return false;
  if (reply.enhanced !== undefined) {
    const m = ENHANCED.exec(reply.enhanced);
    if (!m || m[1] !== String(reply.code)[0]) return false;
  }
  const lines = replyLines(reply);
  return lines.length > 0 && lines.every((l) => !/[\r\n]/.test(l));
}

/** Encode a reply to wire bytes, every line carrying the enhanced code when there is one. */
export function encodeReply(reply: Reply): Uint8Array {
  const lines = replyLines(reply);
  const prefix = reply.enhanced === undefined ? '' : `${reply.enhanced} `;
  const last = lines.length - 1;
  if (last < 0) return new Uint8Array(0);
  let out = '';
  for (let i = 0; i < last; i++) out += `${reply.code}-${prefix}${lines[i]}\r\n`;
  // RFC 4954 §4: a challenge with no data is "334 " (the space stays even with empty text).
  return encoder.encode(`${out}${reply.code} ${prefix}${lines[last]}\r\n`);
}

const LF = 0x0a;
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Decode one complete reply (possibly multi-line) from the start of `bytes`. Lenient: a bare LF
 * ends a line too, as many clients accept. The enhanced code is recognised when the first line
 * carries one of the reply's class; it is then stripped from every line that repeats it.
 */
export function decodeReply(bytes: Uint8Array): DecodeResult<Reply> {
  const texts: string[] = [];
  let code = 0;
  let pos = 0;
  for (;;) {
    const lf = bytes.indexOf(LF, pos);
    if (lf < 0) return { ok: false, need: 'more' };
    const end = lf > pos && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    const line = decoder.decode(bytes.subarray(pos, end));
    pos = lf + 1;
    const m = /^([2-5]\d\d)([ -]|$)(.*)$/s.exec(line);
    if (!m) return { ok: false, error: `malformed reply line: ${JSON.stringify(line.slice(0, 80))}` };
    const lineCode = Number(m[1]);
    if (texts.length > 0 && lineCode !== code) {
      return { ok: false, error: `reply code changed inside a multi-line reply (${code} then ${lineCode})` };
    }
    code = lineCode;
    texts.push(m[3] ?? '');
    if (m[2] !== '-') break;
  }
  const first = ENHANCED_PREFIX.exec(texts[0] ?? '');
  const enhanced = first && first[1]?.[0] === String(code)[0] ? first[1] : undefined;
  const stripped =
    enhanced === undefined
      ? texts
      : texts.map((t) => (t === enhanced ? '' : t.startsWith(`${enhanced} `) ? t.slice(enhanced.length + 1) : t));
  const text = stripped.length === 1 ? (stripped[0] ?? '') : stripped;
  return { ok: true, value: enhanced === undefined ? { code, text } : { code, enhanced, text }, consumed: pos };
}
