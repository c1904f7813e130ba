/**
 * Errors (STYLE.md §5). A peer's mistake is never thrown: it becomes a `rejected` event carrying a
 * suggested reply from REPLY_FOR. Only a caller misusing a core gets an exception.
 */
import { LocalProtocolError, MailError } from '@mailstack/errors';
import type { Reply } from './reply.js';

export { LocalProtocolError, MailError };

/** What the peer did wrong; the key of REPLY_FOR. */
export type SmtpErrorCode =
  | 'syntax'
  | 'bad-parameter'
  | 'unknown-parameter'
  | 'unknown-command'
  | 'not-implemented'
  | 'unknown-mechanism'
  | 'line-too-long'
  | 'bad-sequence'
  | 'need-helo'
  | 'bad-sender-syntax'
  | 'bad-recipient-syntax'
  | 'non-ascii-sender'
  | 'non-ascii-recipient'
  | 'no-valid-recipients'
  | 'too-much-data'
  | 'too-many-recipients'
  | 'bare-newline'
  | 'auth-cancelled'
  | 'auth-syntax'
  | 'auth-line-too-long'
  | 'early-talker'
  | 'too-many-errors';

// One table from problem to wire answer; enhanced status codes per RFC 3463 §3 (class.subject.detail).
/** The suggested reply for each peer error (RFC 5321 §4.2.2, RFC 3463, RFC 4954 §4, RFC 6531 §3.5). */
export const REPLY_FOR: Readonly<Record<SmtpErrorCode, Reply>> = {
  syntax: { code: 501, enhanced: '5.5.2', text: 'Syntax error in parameters or arguments' },
  'bad-parameter': { code: 501, enhanced: '5.5.4', text: 'Invalid parameter value' },
  // RFC 5321 §4.1.1.11: 555 "MAIL FROM/RCPT TO parameters not recognized or not implemented".
  'unknown-parameter': { code: 555, enhanced: '5.5.4', text: 'Parameter not recognized' },
  'unknown-command': { code: 500, enhanced: '5.5.2', text: 'Command not recognized' },
  'not-implemented': { code: 502, enhanced: '5.5.1', text: 'Command not implemented' },
  // RFC 4954 §4: 504 5.5.4 for a mechanism the server does not support.
  'unknown-mechanism': { code: 504, enhanced: '5.5.4', text: 'Unrecognized authentication type' },
  // RFC 5321 §4.5.3.1.4; Postfix answers "500 5.5.2 Error: line too long" as well.
  'line-too-long': { code: 500, enhanced: '5.5.2', text: 'Line too long' },
  'bad-sequence': { code: 503, enhanced: '5.5.1', text: 'Bad sequence of commands' },
  'need-helo': { code: 503, enhanced: '5.5.1', text: 'Send HELO/EHLO first' },
  'bad-sender-syntax': { code: 501, enhanced: '5.1.7', text: 'Bad sender address syntax' },
  'bad-recipient-syntax': { code: 501, enhanced: '5.1.3', text: 'Bad recipient address syntax' },
  'non-ascii-sender': { code: 550, enhanced: '5.6.7', text: 'Non-ASCII addresses need SMTPUTF8' },
  'non-ascii-recipient': { code: 553, enhanced: '5.6.7', text: 'Non-ASCII addresses need SMTPUTF8' },
  // RFC 5321 §3.3: DATA with no accepted recipient may get 503 or 554; Postfix uses 554 5.5.1.
  'no-valid-recipients': { code: 554, enhanced: '5.5.1', text: 'No valid recipients' },
  'too-much-data': { code: 552, enhanced: '5.3.4', text: 'Message too big' },
  'too-many-recipients': { code: 452, enhanced: '4.5.3', text: 'Too many recipients' },
  // Postfix smtpd_forbid_bare_newline = reject: "550 5.5.2 Error: bare <LF> received".
  'bare-newline': { code: 550, enhanced: '5.5.2', text: 'Bare <LF> received' },
  'auth-cancelled': { code: 501, enhanced: '5.7.0', text: 'Authentication cancelled' },
  'auth-syntax': { code: 501, enhanced: '5.5.2', text: 'Invalid base64 data' },
  // RFC 4954 §4: a response longer than the authentication buffer fails AUTH with 500 5.5.6.
  'auth-line-too-long': { code: 500, enhanced: '5.5.6', text: 'Authentication exchange line is too long' },
  'early-talker': { code: 554, enhanced: '5.5.1', text: 'Protocol error: talked before the greeting' },
  // Postfix smtpd_hard_error_limit: "421 4.7.0 Error: too many errors".
  'too-many-errors': { code: 421, enhanced: '4.7.0', text: 'Too many errors' },
};
