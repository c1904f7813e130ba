/** What went wrong in the store: the caller maps each code to a protocol answer. */
export type StoreErrorCode = 'not-found' | 'exists' | 'io' | 'locked' | 'invalid-name' | 'corrupt';

/** An error from the mail store; `cause` carries the underlying system error. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
