/**
 * Errors of routing, policy, scheduling and DSNs (STYLE.md §5). Peer errors never throw here:
 * they become replies. MtaConfigError is an operator's mistake (bad alias line, transport entry,
 * network), reported with file:line or the config key; MtaUsageError is our own code misusing an
 * object. Both extend the MailError base of @mailstack/smtp-core.
 */
import { MailError } from '@mailstack/smtp-core';

/** What is wrong in the configuration. */
export type MtaConfigErrorCode = 'syntax' | 'duplicate' | 'invalid-value';

/** A configuration error of the MTA (bad alias line, transport entry or network), naming where. */
export class MtaConfigError extends MailError<MtaConfigErrorCode> {}

/** Our own code misused an MTA object (recording an outcome nobody asked for): a bug in the caller. */
export class MtaUsageError extends MailError<'wrong-state' | 'invalid-value'> {}
