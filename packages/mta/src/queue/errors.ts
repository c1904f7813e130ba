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

/** Pass QueueErrors and TypeErrors (caller bugs) through; wrap anything else as 'io'. */
export function asQueueError(error: unknown, message: string): Error {
  if (error instanceof QueueError || error instanceof TypeError) return error;
  return new QueueError('io', message, { cause: error });
}

/** Swallow ENOENT (the file is already gone), rethrow anything else. */
export function ignoreMissing(error: unknown): void {
  if (errnoCode(error) !== 'ENOENT') throw error;
}
