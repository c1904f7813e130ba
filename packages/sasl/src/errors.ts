/**
 * Errors of this package. A peer's malformed input is never an exception: it is a
 * `{ type: 'failure' }` step. `SaslError` is thrown only when our own code misuses an exchange
 * (STYLE.md §5): stepping a finished exchange, or passing an invalid nonce.
 */
export type SaslErrorCode = 'wrong-state' | 'invalid-value';

/** Thrown when the caller misuses an exchange: a bug in the caller, never the peer's fault. */
export class SaslError extends Error {
  constructor(
    readonly code: SaslErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
