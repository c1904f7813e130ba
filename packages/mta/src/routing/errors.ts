/**
 * Errors in routing configuration (aliases, transport maps, relayhost, mynetworks). Peer errors
 * never throw here: they become replies. These are operator mistakes, reported with file:line.
 */
export type MtaConfigErrorCode = 'syntax' | 'duplicate' | 'invalid-value' | 'include';

/** A configuration error of the MTA (bad alias line, transport entry or network), naming where. */
export class MtaConfigError extends Error {
  constructor(
    readonly code: MtaConfigErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Our own code misused an MTA object (recording an outcome nobody asked for): a bug in the caller. */
export class MtaUsageError extends Error {
  constructor(
    readonly code: 'wrong-state' | 'invalid-value',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
