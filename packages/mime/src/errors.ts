// Errors and defects of @mailstack/mime (STYLE.md §5).
//
// A malformed message is never an exception: the parser records a MimeDefect and recovers, as
// Python's email package does with its *Defect classes (the codes below are their kebab-case
// names where one exists). MimeError is only for misuse of the API by our own callers.

import { MailError } from '@mailstack/errors';

export { MailError };

/** Thrown when the mime API is misused (a bug in the caller, not bad input). */
export class MimeError extends MailError<'wrong-state' | 'invalid-value'> {}

/** Kebab-case codes of the problems the parser finds in a message and recovers from. */
export type MimeDefectCode =
  | 'missing-header-body-separator' // a non-field line inside a header block (Python: same name)
  | 'invalid-header-line' // a line that is neither a field nor a continuation, skipped
  | 'first-line-continuation' // a header block starting with whitespace (Python: FirstHeaderLineIsContinuation)
  | 'header-too-long' // the header block is over maxHeaderBytes; later fields dropped
  | 'line-too-long' // a header line is over maxLineBytes; its rest dropped
  | 'no-boundary-in-multipart' // multipart/* without a boundary parameter: parsed as a leaf
  | 'start-boundary-not-found' // a multipart body with no delimiter line at all
  | 'close-boundary-not-found' // a multipart ended (outer boundary or EOF) without its close delimiter
  | 'too-many-parts' // over maxParts: further parts are framed but skipped
  | 'nesting-too-deep' // over maxDepth: the entity is kept as an opaque leaf
  | 'unknown-transfer-encoding' // passed through undecoded
  | 'invalid-base64' // stray characters or a dangling quantum in base64
  | 'invalid-quoted-printable' // "=" not followed by two hex digits or a line break
  | 'unknown-charset'; // decoded with the fallback (UTF-8 if valid, else windows-1252)

/** One problem found in a message: where (part path, byte offset) and what. */
export interface MimeDefect {
  code: MimeDefectCode;
  /** IMAP part path of the entity ('' = the root message). */
  path: string;
  /** Byte offset in the raw message where it was noticed. */
  offset: number;
  detail: string;
}
