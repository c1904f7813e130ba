import { MailError, errnoCode } from '@mailstack/errors';

export { errnoCode };

/** What went wrong in the store: the caller maps each code to a protocol answer. */
export type StoreErrorCode = 'not-found' | 'exists' | 'io' | 'locked' | 'invalid-name' | 'corrupt';

/** An error from the mail store; `cause` carries the underlying system error. */
export class StoreError extends MailError<StoreErrorCode> {}

