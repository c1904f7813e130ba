// Events of MimeStreamParser (STYLE.md §2: the parser is a sans-I/O core; events name what happened).
import type { MimeDefect } from '../errors.js';
import type { ContentType } from '../headers/params.js';
import type { HeaderField } from './header-block.js';

/**
 * 'message' is an RFC 5322 message (the root, or the one inside a message/rfc822 part, which
 * shares that part's IMAP path); 'part' is a MIME body part of a multipart.
 */
export type EntityKind = 'message' | 'part';

/** Where an entity lies in the raw message (byte offsets from its first byte). */
export interface EntityOffsets {
  /** First byte of the header block. */
  headerStart: number;
  /** First byte after the blank line ending the header block (= bodyEnd for an empty body). */
  bodyStart: number;
}

/** An event of MimeStreamParser, in message order. */
export type MimeEvent =
  | { type: 'header'; path: string; kind: EntityKind; field: HeaderField }
  | {
      type: 'part-start';
      path: string;
      kind: EntityKind;
      depth: number;
      headers: HeaderField[];
      contentType: ContentType;
      /** Lower-cased Content-Transfer-Encoding ('7bit' when absent, RFC 2045 §6.1). */
      transferEncoding: string;
      offsets: EntityOffsets;
    }
  | { type: 'body-chunk'; path: string; bytes: Uint8Array } // transfer-decoded bytes of a leaf
  | {
      type: 'part-end';
      path: string;
      kind: EntityKind;
      offsets: EntityOffsets & { bodyEnd: number };
      /** Octets of the raw (encoded) body: bodyEnd - bodyStart. */
      sizeBytes: number;
      /** Line breaks in the raw body (IMAP BODYSTRUCTURE lines, SPEC.md §7). */
      lines: number;
    }
  | { type: 'defect'; defect: MimeDefect }
  | { type: 'need-data' } // feed more with receive() or receiveEof()
  | { type: 'end' }; // after receiveEof() and the last part-end; returned again on every call
