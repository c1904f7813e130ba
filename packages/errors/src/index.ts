// The error base classes every mailstack package shares (STYLE.md §5), in one place so that
// `instanceof MailError` holds across packages and no package carries its own copy.

/** Base class of every typed error in mailstack: a machine-readable kebab-case `code` and a message. */
export class MailError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown when our own code misuses a core (a reply in the wrong state, an invalid value): a bug in the caller. */
export class LocalProtocolError extends MailError<'wrong-state' | 'invalid-value'> {}

/** The errno code of a Node system error (`ENOENT`, `EEXIST`, ...), if the value is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
