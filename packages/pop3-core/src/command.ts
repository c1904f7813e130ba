// POP3 commands (RFC 1939 §3-7, RFC 2449 §3 and §5, RFC 2595 §4, RFC 5034 §4):
//   command = keyword *(SP param) CRLF   ; 255 octets maximum (RFC 2449 §4)
// `parseCommand` works on one line without its CRLF (the server's framing has already applied the
// length limit); `decodeCommand` adds that framing for callers holding raw bytes.
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { LocalProtocolError } from './errors.js';

/** A POP3 command. Message numbers are 1-based; `lines` is TOP's count of body lines. */
export type Pop3Command =
  | { verb: 'USER'; name: string }
  | { verb: 'PASS'; password: string }
  | { verb: 'APOP'; name: string; digest: string }
  /** `initialResponse` absent: none sent; empty: sent as "=" (RFC 5034 §4). */
  | { verb: 'AUTH'; mechanism: string; initialResponse?: Uint8Array }
  | { verb: 'STLS' }
  | { verb: 'CAPA' }
  | { verb: 'STAT' }
  | { verb: 'LIST'; msg?: number }
  | { verb: 'RETR'; msg: number }
  | { verb: 'DELE'; msg: number }
  | { verb: 'NOOP' }
  | { verb: 'RSET' }
  | { verb: 'TOP'; msg: number; lines: number }
  | { verb: 'UIDL'; msg?: number }
  | { verb: 'QUIT' };

/** A command keyword. */
export type Pop3Verb = Pop3Command['verb'];

/** Why a command line could not be decoded. */
export type CommandErrorCode = 'unknown-command' | 'syntax' | 'bad-base64' | 'line-too-long';

/** Result of parsing one command line. */
export type ParsedCommand =
  | { ok: true; value: Pop3Command }
  | { ok: false; error: { code: CommandErrorCode; detail: string } };

/** RFC 2449 §4: a command is at most 255 octets including the CRLF. */
export const MAX_COMMAND_BYTES = 255;

const VERBS: ReadonlySet<string> = new Set<Pop3Verb>([
  'USER', 'PASS', 'APOP', 'AUTH', 'STLS', 'CAPA', 'STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'TOP', 'UIDL', 'QUIT',
]);
// RFC 4422 §3.1: sasl-mech = 1*20mech-char, mech-char = UPPER-ALPHA / DIGIT / "-" / "_"
const MECHANISM = /^[A-Z0-9_-]{1,20}$/;
// RFC 2449 §3: param = 1*VCHAR. Lenient: non-ASCII (UTF-8) characters are accepted too, since
// user names and passwords in UTF-8 exist in the wild; controls and spaces never are.
const PARAM = /^[^\x00-\x20\x7f]+$/;
// PASS takes the rest of the line: a visible first character, then no controls.
const PASSWORD = /^[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$/;
// RFC 1939 §7: the digest is 32 hexadecimal digits (sent in lower case).
const DIGEST = /^[0-9a-f]{32}$/;
// Message numbers and line counts are decimal; 15 digits keep them exact as JS numbers.
const NUMBER = /^[0-9]{1,15}$/;

const ONE_NUMBER_VERBS: ReadonlySet<Pop3Verb> = new Set<Pop3Verb>(['RETR', 'DELE', 'LIST', 'UIDL']);

/** `text` as a number when it is 1 to 15 decimal digits and nothing else, else undefined. */
function plainNumber(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

function syntax(detail: string): ParsedCommand {
  return { ok: false, error: { code: 'syntax', detail } };
}

function numbers(verb: 'LIST' | 'UIDL' | 'RETR' | 'DELE' | 'TOP', args: string[], min: number, max: number): number[] | string {
  if (args.length < min || args.length > max) return `${verb} takes ${min === max ? min : `${min} to ${max}`} argument(s)`;
  const bad = args.find((a) => !NUMBER.test(a));
  return bad === undefined ? args.map(Number) : `${verb}: not a number: ${JSON.stringify(bad.slice(0, 20))}`;
}

/**
 * Parses one command line (without CRLF). Keywords are case-insensitive (RFC 1939 §3).
 * Lenient: trailing spaces are ignored, and PASS takes the rest of the line so that passwords
 * may contain spaces (as Dovecot and Qpopper do; RFC 1939 §7 notes the ambiguity for APOP/PASS).
 */
export function parseCommand(line: string): ParsedCommand {
  const sp = line.indexOf(' ');
  const keyword = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
  if (!VERBS.has(keyword)) {
    return { ok: false, error: { code: 'unknown-command', detail: `unknown command ${JSON.stringify(keyword.slice(0, 8))}` } };
  }
  const verb = keyword as Pop3Verb;
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  if (sp >= 0 && ONE_NUMBER_VERBS.has(verb)) {
    // The common TRANSACTION commands ("RETR 17"): the general path below gives the same result.
    const msg = plainNumber(rest);
    if (msg !== undefined) return { ok: true, value: { verb: verb as 'RETR' | 'DELE' | 'LIST' | 'UIDL', msg } };
  }
  if (verb === 'PASS') return PASSWORD.test(rest) ? { ok: true, value: { verb, password: rest } } : syntax('PASS needs a password');
  const args = rest.trimEnd() === '' ? [] : rest.trimEnd().split(' ');
  if (args.some((a) => !PARAM.test(a))) return syntax(`${verb}: malformed argument`);
  switch (verb) {
    case 'USER':
      return args.length === 1 ? { ok: true, value: { verb, name: args[0]! } } : syntax('USER takes one argument');
    case 'APOP': {
      const digest = args[1]?.toLowerCase();
      if (args.length !== 2 || digest === undefined || !DIGEST.test(digest)) return syntax('APOP takes a name and a 32-digit hex digest');
      return { ok: true, value: { verb, name: args[0]!, digest } };
    }
    case 'AUTH':
      return parseAuth(args);
    case 'STLS': case 'CAPA': case 'STAT': case 'NOOP': case 'RSET': case 'QUIT':
      return args.length === 0 ? { ok: true, value: { verb } } : syntax(`${verb} takes no arguments`);
    case 'LIST': case 'UIDL': {
      const n = numbers(verb, args, 0, 1);
      if (typeof n === 'string') return syntax(n);
      return { ok: true, value: n.length === 0 ? { verb } : { verb, msg: n[0]! } };
    }
    case 'RETR': case 'DELE': {
      const n = numbers(verb, args, 1, 1);
      return typeof n === 'string' ? syntax(n) : { ok: true, value: { verb, msg: n[0]! } };
    }
    case 'TOP': {
      const n = numbers(verb, args, 2, 2);
      return typeof n === 'string' ? syntax(n) : { ok: true, value: { verb, msg: n[0]!, lines: n[1]! } };
    }
  }
}

// RFC 5034 §4: AUTH mechanism [initial-response]; initial-response = base64 / "="
function parseAuth(args: string[]): ParsedCommand {
  const mechanism = args[0]?.toUpperCase();
  if (mechanism === undefined || args.length > 2 || !MECHANISM.test(mechanism)) return syntax('AUTH takes a mechanism and an optional initial response');
  const ir = args[1];
  if (ir === undefined) return { ok: true, value: { verb: 'AUTH', mechanism } };
  const initialResponse = ir === '=' ? new Uint8Array(0) : decodeBase64Strict(ir);
  if (initialResponse === undefined || ir === '') {
    return { ok: false, error: { code: 'bad-base64', detail: 'AUTH initial response is not base64' } };
  }
  return { ok: true, value: { verb: 'AUTH', mechanism, initialResponse } };
}

function assertParam(value: string, what: string): string {
  if (!PARAM.test(value)) throw new LocalProtocolError('invalid-value', `${what} must be printable, without spaces`);
  return value;
}

function assertNumber(value: number, what: string): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new LocalProtocolError('invalid-value', `${what} must be a non-negative integer`);
  return String(value);
}

/** The command line without CRLF; throws `LocalProtocolError` for values the grammar cannot carry. */
export function formatCommand(command: Pop3Command): string {
  switch (command.verb) {
    case 'USER':
      return `USER ${assertParam(command.name, 'USER name')}`;
    case 'PASS':
      if (!PASSWORD.test(command.password)) throw new LocalProtocolError('invalid-value', 'PASS password must start visible and hold no controls');
      return `PASS ${command.password}`;
    case 'APOP':
      if (!DIGEST.test(command.digest)) throw new LocalProtocolError('invalid-value', 'APOP digest must be 32 lower-case hex digits');
      return `APOP ${assertParam(command.name, 'APOP name')} ${command.digest}`;
    case 'AUTH': {
      if (!MECHANISM.test(command.mechanism)) throw new LocalProtocolError('invalid-value', `invalid SASL mechanism ${JSON.stringify(command.mechanism)}`);
      const ir = command.initialResponse;
      return ir === undefined ? `AUTH ${command.mechanism}` : `AUTH ${command.mechanism} ${ir.length === 0 ? '=' : encodeBase64(ir)}`;
    }
    case 'LIST': case 'UIDL':
      return command.msg === undefined ? command.verb : `${command.verb} ${assertNumber(command.msg, 'msg')}`;
    case 'RETR': case 'DELE':
      return `${command.verb} ${assertNumber(command.msg, 'msg')}`;
    case 'TOP':
      return `TOP ${assertNumber(command.msg, 'msg')} ${assertNumber(command.lines, 'lines')}`;
    case 'STLS': case 'CAPA': case 'STAT': case 'NOOP': case 'RSET': case 'QUIT':
      return command.verb;
  }
}

const encoder = new TextEncoder();

/** Encodes a command with its CRLF; throws `LocalProtocolError` past 255 octets (RFC 2449 §4). */
export function encodeCommand(command: Pop3Command): Uint8Array {
  const bytes = encoder.encode(`${formatCommand(command)}\r\n`);
  if (bytes.length > MAX_COMMAND_BYTES) {
    throw new LocalProtocolError('invalid-value', `${command.verb} command of ${bytes.length} octets exceeds 255 (RFC 2449 §4)`);
  }
  return bytes;
}

/**
 * Decodes the first command in `bytes`: `consumed` counts the line and its terminator (CRLF, or a
 * bare LF, see `parseCommand`). Lines over 255 octets are a `line-too-long` error.
 */
export function decodeCommand(
  bytes: Uint8Array,
): { ok: true; value: Pop3Command; consumed: number } | { ok: false; need: 'more' } | { ok: false; error: { code: CommandErrorCode; detail: string }; consumed: number } {
  const lf = bytes.indexOf(0x0a);
  if (lf < 0 && bytes.length < MAX_COMMAND_BYTES) return { ok: false, need: 'more' };
  const consumed = lf < 0 ? bytes.length : lf + 1;
  if (lf < 0 || consumed > MAX_COMMAND_BYTES) return { ok: false, error: { code: 'line-too-long', detail: 'over 255 octets' }, consumed };
  return { ...parseCommand(decodeLine(bytes.subarray(0, lf))), consumed };
}

const utf8 = new TextDecoder('utf-8');

/** The text of the first `length` bytes of a line (its LF left out) without a trailing CR; bytes that are not UTF-8 become U+FFFD. */
export function decodeLine(line: Uint8Array, length = line.length): string {
  const end = length > 0 && line[length - 1] === 0x0d ? length - 1 : length;
  // Command lines are short and nearly always ASCII: a latin1 view of them is the same string,
  // without the decoder's per-call cost.
  let ascii = true;
  for (let i = 0; i < end; i++) {
    if (line[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return utf8.decode(line.subarray(0, end));
  return (Buffer.isBuffer(line) ? line : Buffer.from(line.buffer, line.byteOffset, line.length)).toString('latin1', 0, end);
}
