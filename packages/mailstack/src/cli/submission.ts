/**
 * A message on `mailstack sendmail`'s standard input, split into what -t needs before queueing
 * (the header block, held in memory up to Postfix's header_size_limit) and the message bytes,
 * streamed into the queue file in batches.
 *
 * The header block ends at the first empty line, at the first line that is neither a field nor a
 * continuation (RFC 5322 §2.2, §3.6.8), or when it would pass MAX_HEADER_BYTES; what follows is
 * body, copied as it comes.
 */
import { type Address, type HeaderField, parseAddressList, parseHeaderBlock } from '@mailstack/mime';
import { type LinePiece, readLines } from './message-lines.js';

/** Postfix header_size_limit (102400): header text past this is treated as body. */
export const MAX_HEADER_BYTES = 102_400;
// Write to the queue file in pieces of about this size, not one write per line.
const BATCH_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
// RFC 5322 §3.6.8: field-name = 1*ftext (printable US-ASCII but ":"), then ":". Lenient like
// the mime parser: white space before the colon (obs-optional, §4.5).
const FIELD_LINE = /^[!-9;-~]+[ \t]*:/;
const BCC_LINE = /^(resent-)?bcc[ \t]*:/i;

/** What reading the submission's header gave. */
export interface Submission {
  /** The header fields (unfolded), for -t. */
  fields: HeaderField[];
  /** The whole message, CRLF line ends, Bcc stripped if asked; iterate once. */
  message: AsyncGenerator<Uint8Array>;
}

/** Options of readSubmission. */
export interface SubmissionOptions {
  /** A lone "." line ends the message (sendmail without -i / -oi). */
  dotEnds: boolean;
  /** Drop Bcc and Resent-Bcc fields (sendmail -t). */
  stripBcc: boolean;
  /** Trace lines (no line break) to put before the header, e.g. Received. */
  prepend?: readonly string[];
  /** Header lines (no line break) to add at the end of the header, given the fields present. */
  addFields?: (fields: readonly HeaderField[]) => string[];
}

/** Read the header block of a message; the rest streams through `message`. */
export async function readSubmission(source: AsyncIterable<Uint8Array>, options: SubmissionOptions): Promise<Submission> {
  const lines = readLines(source, options.dotEnds);
  const header: Buffer[] = [];
  let headerBytes = 0;
  let pending: LinePiece | undefined;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const piece = next.value;
    const isHeaderLine =
      piece.last && (FIELD_LINE.test(piece.bytes.toString('latin1', 0, 1000)) || (header.length > 0 && (piece.bytes[0] === 0x20 || piece.bytes[0] === 0x09)));
    if (!isHeaderLine || headerBytes + piece.bytes.length + 2 > MAX_HEADER_BYTES) {
      pending = piece;
      break;
    }
    header.push(piece.bytes);
    headerBytes += piece.bytes.length + 2;
  }
  const fields = parseHeaderBlock(Buffer.concat(header.flatMap((line) => [line, CRLF])));
  const added = (options.addFields?.(fields) ?? []).map((line) => Buffer.from(line, 'utf8'));
  // Added fields need the empty line that separates header and body (RFC 5322 §2.1) if the
  // message had none: a body line must not be read as one more field.
  const separator = added.length > 0 && pending !== undefined && !(pending.last && pending.first && pending.bytes.length === 0) ? [Buffer.alloc(0)] : [];
  const prepended = (options.prepend ?? []).map((line) => Buffer.from(line, 'utf8'));
  const kept = [...prepended, ...(options.stripBcc ? withoutBcc(header) : header), ...added, ...separator];
  return { fields, message: batched(messagePieces(kept, pending, lines)) };
}

// A Bcc field is its first line and the continuation lines after it.
function withoutBcc(header: readonly Buffer[]): Buffer[] {
  let dropping = false;
  return header.filter((line) => {
    const continuation = line[0] === 0x20 || line[0] === 0x09;
    if (!continuation) dropping = BCC_LINE.test(line.toString('latin1', 0, 64));
    return !dropping;
  });
}

async function* messagePieces(header: readonly Buffer[], pending: LinePiece | undefined, rest: AsyncGenerator<LinePiece>): AsyncGenerator<Buffer> {
  for (const line of header) yield* [line, CRLF];
  if (pending === undefined) return;
  yield* piecesOf(pending);
  for await (const piece of rest) yield* piecesOf(piece);
}

function piecesOf(piece: LinePiece): Buffer[] {
  return piece.last ? [piece.bytes, CRLF] : [piece.bytes];
}

async function* batched(pieces: AsyncGenerator<Buffer>): AsyncGenerator<Uint8Array> {
  let batch: Buffer[] = [];
  let size = 0;
  for await (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= BATCH_BYTES) {
      yield Buffer.concat(batch, size);
      batch = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(batch, size);
}

/**
 * sendmail -t: the addresses of To, Cc and Bcc — or, when the message has Resent- fields (it is
 * being resent, RFC 5322 §3.6.6), of Resent-To, Resent-Cc and Resent-Bcc, as sendmail(8) does.
 */
export function headerRecipients(fields: readonly HeaderField[]): string[] {
  const resent = fields.some((field) => /^resent-/i.test(field.name));
  const names = resent ? ['resent-to', 'resent-cc', 'resent-bcc'] : ['to', 'cc', 'bcc'];
  return fields
    .filter((field) => names.includes(field.name.toLowerCase()))
    .flatMap((field) => parseAddressList(field.value).flatMap(mailboxesOf))
    .filter((address) => address !== '');
}

function mailboxesOf(address: Address): string[] {
  return 'group' in address ? address.members.map((m) => m.address) : [address.address];
}
