// The parser's stack of open entities (state of MimeStreamParser, STYLE.md §3).
import type { ContentType } from '../headers/params.js';
import type { TransferDecoder } from '../transfer/decode-transfer.js';
import type { EntityKind } from './events.js';
import type { HeaderField } from './header-block.js';

/** What an entity's body is, once its header block has been read. */
export type EntityBody =
  | { mode: 'headers' } // header block still being read
  | { mode: 'leaf'; decoder: TransferDecoder | undefined; encoding: string } // decoder undefined: identity
  | {
      mode: 'multipart';
      dashBoundary: Uint8Array; // "--" + boundary
      children: number;
      // preamble: before the first delimiter; part: a child is open; skip: over maxParts;
      // epilogue: after the close delimiter (its boundary is no longer active)
      phase: 'preamble' | 'part' | 'skip' | 'epilogue';
    }
  | { mode: 'message' }; // message/rfc822 or message/global: the child is the encapsulated message

/** One open entity: a message or a body part. */
export interface Entity {
  path: string;
  kind: EntityKind;
  depth: number;
  headerStart: number;
  bodyStart: number;
  lfAtBodyStart: number;
  contentType: ContentType | undefined;
  /** Parent is multipart/digest: the default type is message/rfc822 (RFC 2046 §5.1.5). */
  inDigest: boolean;
  body: EntityBody;
}

/** Header-block reading state of the top entity. */
export interface HeaderReading {
  fields: HeaderField[];
  /** Raw lines of the field being read (a field ends when a non-continuation line comes). */
  current: Uint8Array[];
  bytes: number;
  overLimit: boolean;
  /** Dropping the rest of a line longer than maxLineBytes. */
  discardingLine: boolean;
}

/** IMAP part number of the `n`th child (1-based) of `parent` (RFC 3501 §6.4.5). */
export function childPath(parent: string, n: number): string {
  return parent === '' ? String(n) : `${parent}.${n}`;
}
