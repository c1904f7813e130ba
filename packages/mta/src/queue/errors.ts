import { MailError, errnoCode } from '@mailstack/errors';

export { errnoCode };

/** What went wrong in the queue spool. */
export type QueueErrorCode = 'not-found' | 'io' | 'corrupt' | 'invalid-envelope' | 'wrong-state';

/** An error from the queue spool; `cause` carries the underlying system error. */
export class QueueError extends MailError<QueueErrorCode> {}

/** Pass QueueErrors and TypeErrors (caller bugs) through; wrap anything else as 'io'. */
export function asQueueError(error: unknown, message: string): Error {
  if (error instanceof QueueError || error instanceof TypeError) return error;
  return new QueueError('io', message, { cause: error });
}

/** Swallow ENOENT (the file is already gone), rethrow anything else. */
export function ignoreMissing(error: unknown): void {
  if (errnoCode(error) !== 'ENOENT') throw error;
}
