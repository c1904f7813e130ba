/**
 * How a command fails: one error type whose code picks the exit status (sysexits(3), the codes
 * sendmail and postfix use), and whose message is the one line printed to stderr.
 */
import { MailError } from '@mailstack/smtp-core';

/** Why a command failed; each code has its exit status in EXIT_CODES. */
export type CliErrorCode = 'usage' | 'config' | 'tempfail' | 'failed';

/** sysexits(3): EX_USAGE 64, EX_TEMPFAIL 75, EX_CONFIG 78; 1 for everything else. */
export const EXIT_CODES: Readonly<Record<CliErrorCode | 'ok', number>> = {
  ok: 0,
  failed: 1,
  usage: 64,
  tempfail: 75,
  config: 78,
};

/** A command failure with its one-line message. */
export class CliError extends MailError<CliErrorCode> {}
