/** What went wrong in the queue spool. */
export type QueueErrorCode = 'not-found' | 'io' | 'corrupt' | 'invalid-envelope' | 'wrong-state';

/** An error from the queue spool; `cause` carries the underlying system error. */
export class QueueError extends Error {
  constructor(
    readonly code: QueueErrorCode,
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
