/**
 * Command codec (RFC 5321 §4.1.1): one command line in, a typed command out, and back.
 * Verbs are case-insensitive (§2.4). The session does the framing and limits; `decodeCommand`
 * here frames one line for standalone use.
 */
import { decodeBase64, encodeBase64 } from './base64.js';
import type { DecodeResult } from './decode-result.js';
import { formatPath, parsePath, type ForwardPath, type ReversePath } from './address.js';
import { formatMailParams, formatRcptParams, parseMailParams, parseRcptParams, type MailParams, type RcptParams } from './params.js';
import type { SmtpErrorCode } from './errors.js';

/** Every verb this package understands. */
export type Verb =
  | 'EHLO' | 'HELO' | 'MAIL' | 'RCPT' | 'DATA' | 'BDAT' | 'RSET' | 'NOOP' | 'QUIT'
  | 'VRFY' | 'EXPN' | 'HELP' | 'STARTTLS' | 'AUTH';

/** A decoded SMTP command. */
export type SmtpCommand =
  | { readonly verb: 'EHLO' | 'HELO'; readonly domain: string }
  | { readonly verb: 'MAIL'; readonly reversePath: ReversePath; readonly params: MailParams }
  | { readonly verb: 'RCPT'; readonly forwardPath: ForwardPath; readonly params: RcptParams }
  | { readonly verb: 'DATA' | 'RSET' | 'QUIT' | 'STARTTLS' }
  | { readonly verb: 'NOOP' | 'HELP'; readonly argument?: string }
  | { readonly verb: 'VRFY' | 'EXPN'; readonly argument: string }
  | { readonly verb: 'BDAT'; readonly sizeBytes: number; readonly last: boolean }
  | { readonly verb: 'AUTH'; readonly mechanism: string; readonly initialResponse?: Uint8Array };

/** Why a command line did not decode, with the REPLY_FOR key that answers it. */
export interface CommandError {
  readonly code: SmtpErrorCode;
  readonly detail: string;
  /** The verb, when it was recognised (the session needs it for BDAT framing and counting). */
  readonly verb?: Verb;
}

/** Options for decoding: whether RCPT may carry UTF-8 (the transaction's MAIL had SMTPUTF8). */
export interface DecodeCommandOptions {
  readonly utf8Recipients?: boolean;
}

const VERBS: ReadonlySet<string> = new Set<Verb>([
  'EHLO', 'HELO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'STARTTLS', 'AUTH',
]);

type LineResult = { ok: true; value: SmtpCommand } | { ok: false; error: CommandError };

const NON_ASCII = /[^\x00-\x7f]/;

const fail = (code: SmtpErrorCode, detail: string, verb?: Verb): LineResult => ({
  ok: false,
  error: verb === undefined ? { code, detail } : { code, detail, verb },
});

// RFC 4422 §3.1: sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE.
const MECHANISM = /^[A-Z0-9_-]{1,20}$/;

function decodeAuth(arg: string): LineResult {
  const [mech = '', response, extra] = arg.split(' ');
  const mechanism = mech.toUpperCase();
  if (!MECHANISM.test(mechanism) || extra !== undefined) return fail('syntax', 'AUTH mechanism [initial-response]', 'AUTH');
  if (response === undefined) return { ok: true, value: { verb: 'AUTH', mechanism } };
  // RFC 4954 §4: an empty initial response is sent as a single "=".
  const initialResponse = response === '=' ? new Uint8Array(0) : decodeBase64(response);
  if (initialResponse === undefined) return fail('auth-syntax', 'initial response is not base64', 'AUTH');
  return { ok: true, value: { verb: 'AUTH', mechanism, initialResponse } };
}

function decodeMailOrRcpt(verb: 'MAIL' | 'RCPT', arg: string, opts: DecodeCommandOptions): LineResult {
  const prefix = verb === 'MAIL' ? 'FROM:' : 'TO:';
  const pathError: SmtpErrorCode = verb === 'MAIL' ? 'bad-sender-syntax' : 'bad-recipient-syntax';
  if (arg.slice(0, prefix.length).toUpperCase() !== prefix) return fail('syntax', `${verb} ${prefix}<address>`, verb);
  // Lenient: spaces after the colon ("MAIL FROM: <a@b>") are accepted, as Postfix and Exim do.
  let start = prefix.length;
  while (arg[start] === ' ') start++;
  // Parse with UTF-8 allowed, then refuse non-ASCII unless SMTPUTF8 applies (RFC 6531 §3.3).
  const path = parsePath(arg, start, { utf8: true, allowNull: verb === 'MAIL', allowPostmaster: verb === 'RCPT' });
  if (!path.ok) return fail(pathError, `${verb} ${prefix}<address> expected`, verb);
  const rest = arg.slice(path.end);
  if (rest !== '' && !rest.startsWith(' ')) return fail(pathError, 'junk after the address', verb);
  const ascii = !NON_ASCII.test(arg.slice(start, path.end));
  if (verb === 'MAIL') {
    const params = parseMailParams(rest);
    if (!params.ok) return fail(params.error, `parameter ${params.keyword}`, verb);
    if (!ascii && params.value.smtputf8 !== true) return fail('non-ascii-sender', 'sender address needs SMTPUTF8', verb);
    return { ok: true, value: { verb, reversePath: path.value, params: params.value } };
  }
  const params = parseRcptParams(rest);
  if (!params.ok) return fail(params.error, `parameter ${params.keyword}`, verb);
  if (!ascii && opts.utf8Recipients !== true) return fail('non-ascii-recipient', 'recipient address needs SMTPUTF8', verb);
  if (path.value === null) return fail(pathError, 'recipient address', verb);
  return { ok: true, value: { verb, forwardPath: path.value, params: params.value } };
}

/** Decode one command line (without its CRLF) into a command or a CommandError. */
export function decodeCommandLine(line: string, opts: DecodeCommandOptions = {}): LineResult {
  // Lenient: trailing spaces and tabs are ignored (seen from real clients; Postfix does the same).
  const trimmed = line.replace(/[ \t]+$/, '');
  const space = trimmed.indexOf(' ');
  const word = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
  const arg = space < 0 ? '' : trimmed.slice(space + 1);
  if (!VERBS.has(word)) return fail('unknown-command', `unknown command ${JSON.stringify(word.slice(0, 16))}`);
  const verb = word as Verb;
  switch (verb) {
    case 'EHLO':
    case 'HELO':
      // Lenient: any non-empty argument; whether it is a valid domain is the policy's business.
      return arg.trim() === '' ? fail('syntax', `${verb} needs a domain`, verb) : { ok: true, value: { verb, domain: arg.trim() } };
    case 'MAIL':
    case 'RCPT':
      return decodeMailOrRcpt(verb, arg, opts);
    case 'DATA':
    case 'RSET':
    case 'QUIT':
    case 'STARTTLS':
      return arg === '' ? { ok: true, value: { verb } } : fail('syntax', `${verb} takes no argument`, verb);
    case 'NOOP':
    case 'HELP':
      return { ok: true, value: arg === '' ? { verb } : { verb, argument: arg } };
    case 'VRFY':
    case 'EXPN':
      return arg === '' ? fail('syntax', `${verb} needs an argument`, verb) : { ok: true, value: { verb, argument: arg } };
    case 'BDAT': {
      // RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]; end-marker = "LAST".
      const m = /^(\d{1,15})(?: (LAST))?$/i.exec(arg);
      return m ? { ok: true, value: { verb, sizeBytes: Number(m[1]), last: m[2] !== undefined } } : fail('syntax', 'BDAT size [LAST]', verb);
    }
    case 'AUTH':
      return decodeAuth(arg);
  }
}

const LF = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode the command line at the start of `bytes` (CRLF-terminated; a bare LF is accepted too). */
export function decodeCommand(bytes: Uint8Array, opts: DecodeCommandOptions = {}): DecodeResult<SmtpCommand, CommandError> {
  const lf = bytes.indexOf(LF);
  if (lf < 0) return { ok: false, need: 'more' };
  const end = lf > 0 && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
  const line = decodeLineText(bytes.subarray(0, end));
  if (typeof line !== 'string') return { ok: false, error: line };
  const r = decodeCommandLine(line, opts);
  return r.ok ? { ok: true, value: r.value, consumed: lf + 1 } : r;
}

/** Bytes of one command line to text: NUL, other control bytes (except TAB) and invalid UTF-8 are syntax errors. */
export function decodeLineText(bytes: Uint8Array): string | CommandError {
  for (const b of bytes) {
    if ((b < 0x20 && b !== 0x09) || b === 0x7f) return { code: 'syntax', detail: `control character 0x${b.toString(16).padStart(2, '0')} in command` };
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return { code: 'syntax', detail: 'command is not valid UTF-8' };
  }
}

/** Encode a command as one line ending in CRLF. */
export function encodeCommand(cmd: SmtpCommand): Uint8Array {
  return new TextEncoder().encode(`${commandText(cmd)}\r\n`);
}

function commandText(cmd: SmtpCommand): string {
  switch (cmd.verb) {
    case 'EHLO':
    case 'HELO':
      return `${cmd.verb} ${cmd.domain}`;
    case 'MAIL':
      return `MAIL FROM:${formatPath(cmd.reversePath)}${formatMailParams(cmd.params)}`;
    case 'RCPT':
      return `RCPT TO:${formatPath(cmd.forwardPath)}${formatRcptParams(cmd.params)}`;
    case 'DATA':
    case 'RSET':
    case 'QUIT':
    case 'STARTTLS':
      return cmd.verb;
    case 'NOOP':
    case 'HELP':
    case 'VRFY':
    case 'EXPN':
      return cmd.argument === undefined ? cmd.verb : `${cmd.verb} ${cmd.argument}`;
    case 'BDAT':
      return `BDAT ${cmd.sizeBytes}${cmd.last ? ' LAST' : ''}`;
    case 'AUTH': {
      const ir = cmd.initialResponse;
      return ir === undefined ? `AUTH ${cmd.mechanism}` : `AUTH ${cmd.mechanism} ${ir.length === 0 ? '=' : encodeBase64(ir)}`;
    }
  }
}
