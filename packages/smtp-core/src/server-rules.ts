/**
 * Server rules as pure functions: which commands are refused where (RFC 5321 §4.1.4 and the
 * extensions' own rules), and which reply codes may answer what the session is waiting for.
 */
import type { SmtpCommand } from './command.js';
import { LocalProtocolError, type SmtpErrorCode } from './errors.js';
import type { SmtpServerExtensions } from './extensions.js';
import { LEGAL, assertNever, type CommandPhase, type Owed, type SmtpServerState } from './state.js';

/** Why a decoded command is refused in this state (RFC 5321 §4.1.4 and each extension's rules), if it is. */
export function commandRefusal(
  s: Extract<SmtpServerState, { phase: CommandPhase }>,
  cmd: SmtpCommand,
  ext: SmtpServerExtensions,
  limits: { readonly maxMessageBytes: number; readonly maxRecipients: number },
): SmtpErrorCode | undefined {
  if (!LEGAL[s.phase].has(cmd.verb)) {
    if (s.phase === 'idle' && (cmd.verb === 'RCPT' || cmd.verb === 'DATA') && s.ctx.helo === undefined) return 'need-helo';
    return 'bad-sequence';
  }
  if (s.phase === 'refused') return undefined;
  switch (cmd.verb) {
    case 'MAIL': {
      if (s.ctx.helo === undefined) return 'need-helo';
      const p = cmd.params;
      const esmtp = s.ctx.helo.verb === 'EHLO';
      // RFC 5321 §4.1.1.11: parameters need EHLO and an advertised extension, else 555.
      const offered =
        (p.sizeBytes === undefined || ext.size) &&
        (p.body === undefined || p.body === '7BIT' || (p.body === '8BITMIME' ? ext.eightBitMime : ext.binaryMime && ext.chunking)) &&
        (p.smtputf8 !== true || ext.smtputf8) &&
        ((p.ret === undefined && p.envid === undefined) || ext.dsn) &&
        (p.auth === undefined || ext.auth.length > 0);
      if (Object.keys(p).length > 0 && (!esmtp || !offered)) return 'unknown-parameter';
      // RFC 1870 §6.1: a declared size over the limit is refused at MAIL with 552.
      if (p.sizeBytes !== undefined && p.sizeBytes > limits.maxMessageBytes) return 'too-much-data';
      return undefined;
    }
    case 'RCPT':
      if (s.phase !== 'envelope') return 'bad-sequence';
      if (Object.keys(cmd.params).length > 0 && (!ext.dsn || s.ctx.helo?.verb !== 'EHLO')) return 'unknown-parameter';
      // RFC 5321 §4.5.3.1.10: "452 too many recipients" is the answer past the limit.
      return s.envelope.recipients.length >= limits.maxRecipients ? 'too-many-recipients' : undefined;
    case 'DATA':
      if (s.phase !== 'envelope') return 'bad-sequence';
      // RFC 3030 §3: BODY=BINARYMIME can only be sent with BDAT.
      if (s.envelope.params.body === 'BINARYMIME') return 'bad-sequence';
      return s.envelope.recipients.length === 0 ? 'no-valid-recipients' : undefined;
    case 'STARTTLS':
      if (!ext.starttls) return 'not-implemented';
      if (s.ctx.tls) return 'bad-sequence';
      return s.ctx.helo === undefined ? 'need-helo' : undefined;
    case 'AUTH':
      if (ext.auth.length === 0) return 'not-implemented';
      if (s.ctx.helo === undefined) return 'need-helo';
      // RFC 4954 §4: AUTH only once per session, and not inside a mail transaction.
      if (s.ctx.authenticated !== undefined) return 'bad-sequence';
      return ext.auth.includes(cmd.mechanism) ? undefined : 'unknown-mechanism';
    case 'EXPN':
      // Strict: EXPN exposes mailing-list members (RFC 5321 §7.3); not offered, as Postfix.
      return 'not-implemented';
    default:
      return undefined;
  }
}

/** LocalProtocolError when the reply code cannot answer what is owed (e.g. a 354 outside DATA). */
export function checkReplyCode(owed: Owed, code: number): void {
  const cls = Math.floor(code / 100);
  let allowed: boolean;
  switch (owed.kind) {
    case 'greeting':
      allowed = code === 220 || code === 554 || code === 421;
      break;
    case 'command': {
      const verb = owed.command.verb;
      if (cls !== 2 && cls !== 3) allowed = true;
      else if (verb === 'DATA') allowed = code === 354;
      else if (verb === 'AUTH') allowed = code === 334 || code === 235;
      else if (verb === 'STARTTLS') allowed = code === 220;
      else if (verb === 'QUIT') allowed = code === 221;
      else allowed = cls === 2 && code !== 220 && code !== 221 && code !== 235;
      break;
    }
    case 'auth':
      allowed = cls === 4 || cls === 5 || code === 334 || code === 235;
      break;
    case 'timed-out':
      allowed = code === 421;
      break;
    case 'data-end':
    case 'rejected':
      allowed = cls === 2 || cls === 4 || cls === 5;
      break;
    default:
      return assertNever(owed);
  }
  if (!allowed) throw new LocalProtocolError('invalid-value', `reply ${code} cannot answer ${owed.kind === 'command' ? owed.command.verb : owed.kind}`);
}
