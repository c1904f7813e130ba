// Header fields (task B): parameters, encoded words.
/** Content-Type / Content-Disposition parsing with RFC 2231 parameters (RFC 2045 §5, RFC 2183). */
export {
  parseContentType,
  parseContentDisposition,
  type ContentType,
  type ContentDisposition,
} from './headers/params.js';
/** RFC 2047 encoded words: lenient decoding, encoding of unstructured text where needed. */
export { decodeEncodedWords, encodeEncodedWords } from './headers/encoded-words.js';
/** RFC 5322 §3.4 address lists (with §4.4 obsolete forms, RFC 6532 UTF-8): parse and format. */
export {
  parseAddressList,
  formatAddress,
  formatAddressList,
  type Address,
  type Mailbox,
  type Group,
  type FormatAddressOptions,
} from './headers/addresses.js';
/** RFC 5322 §3.6.4 Message-ID / In-Reply-To / References: the ids without angle brackets. */
export { parseMessageIds } from './headers/message-ids.js';
/** RFC 5322 §3.3 dates (with §4.3 obsolete zones and years): parse to Date, format. */
export { parseDate, formatDate } from './headers/dates.js';
/** One header field `Name: value` folded at 78 characters (RFC 5322 §2.2.3), ending in CRLF. */
export { foldHeader } from './headers/fold.js';
/** Parameter writing with RFC 2231 sections/charsets, e.g. for Content-Type and Content-Disposition. */
export { formatParams } from './headers/params-format.js';
/** Streaming Content-Transfer-Encoding encoders: base64 (§6.8) and quoted-printable (§6.7). */
export {
  createTransferEncoder,
  encodeStream,
  type TransferEncoder,
  type TransferEncoding,
} from './transfer/encode-transfer.js';
/** The message builder: a description in, streamed CRLF bytes out (RFC 5322, RFC 2045-2046). */
export { build, buildToBytes } from './builder/build.js';
/** A unique Message-ID (without brackets) from injected time and randomness. */
export { generateMessageId } from './builder/identifiers.js';
/** Types of the builder's input. */
export type {
  MessageDescription,
  AttachmentDescription,
  PartContent,
  ExtraHeader,
  BuildOptions,
} from './builder/types.js';
// Streaming parser, transfer decoding, charsets (task A).
/** Sans-I/O streaming MIME parser: receive() bytes, pull events with byte offsets (RFC 2045/2046). */
export { MimeStreamParser } from './parser/stream-parser.js';
/** Parser events (header, part-start, body-chunk, part-end, defect, need-data, end). */
export type { MimeEvent, EntityKind, EntityOffsets } from './parser/events.js';
/** Parser limits and their defaults (Postfix/Dovecot values). */
export { DEFAULT_MIME_PARSER_OPTIONS, type MimeParserOptions } from './parser/options.js';
/** Parse a whole message, a chunk stream, or stream the events (RFC 5322, RFC 2045–2049). */
export { parse, parseStream, parseEvents, type ParsedMessage, type Attachment } from './parser/parse.js';
/** The message tree with IMAP part paths and raw offsets, and its builder from events. */
export { MimeTreeBuilder, type MimeNode } from './parser/tree.js';
/** Case-insensitive access to an entity's header fields. */
export { HeaderList } from './parser/header-list.js';
/** Header block splitting and unfolding (RFC 5322 §2.2, §2.2.3; RFC 6532 UTF-8). */
export { parseHeaderBlock, decodeHeaderBytes, type HeaderField } from './parser/header-block.js';
/** Streaming Content-Transfer-Encoding decoders (RFC 2045 §6.7 quoted-printable, §6.8 base64). */
export { createTransferDecoder, type TransferDecoder } from './transfer/decode-transfer.js';
/** Charset decoding with WHATWG-style label normalisation and a UTF-8/windows-1252 fallback. */
export { decodeCharset, createCharsetDecoder, resolveCharset, type CharsetDecoder, type ResolvedCharset } from './charset.js';
/** Errors and defect records of the mime package (STYLE.md §5). */
export { MailError, MimeError, type MimeDefect, type MimeDefectCode } from './errors.js';
