// Serializing a message description (RFC 5322 §2, RFC 2045/2046) as a stream of CRLF bytes.
//
// How this works: partsOf() makes the MIME tree; write() walks it, yielding header blocks and body
// chunks as they are encoded, so an attachment given as a stream is never held whole. A body
// never ends in the CRLF that precedes the next delimiter: that CRLF belongs to the delimiter
// (RFC 2046 §5.1.1), so the decoded content comes back exactly. The message ends with CRLF.
import { MimeError } from '../errors.js';
import { formatAddressList } from '../headers/addresses.js';
import { formatDate } from '../headers/dates.js';
import { encodeEncodedWords, needsEncoding } from '../headers/encoded-words.js';
import { foldHeader } from '../headers/fold.js';
import { formatParams } from '../headers/params-format.js';
import { createTransferEncoder, encodeStream } from '../transfer/encode-transfer.js';
import { generateBoundary, generateMessageId, stripAngles } from './identifiers.js';
import { type Part, type PartHeader, partsOf } from './parts.js';
import type { BuildOptions, MessageDescription } from './types.js';

const SLICE_BYTES = 64 * 1024; // in-memory bodies are encoded in slices to bound chunk size
const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function* slices(body: Uint8Array): Iterable<Uint8Array> {
  for (let i = 0; i < body.length; i += SLICE_BYTES) yield body.subarray(i, i + SLICE_BYTES);
}

function headerBlock(headers: PartHeader[]): Uint8Array {
  return bytes(headers.map(([name, value]) => foldHeader(name, value)).join(''));
}

async function* write(part: Part, options: BuildOptions, outer: PartHeader[]): AsyncIterable<Uint8Array> {
  if (part.kind === 'leaf') {
    yield headerBlock([...outer, ...part.headers]);
    yield bytes('\r\n');
    const source = part.body instanceof Uint8Array ? slices(part.body) : part.body;
    yield* encodeStream(source, createTransferEncoder(part.encoding, part.text));
    return;
  }
  const boundary = generateBoundary(options.random);
  const contentType = formatParams(`multipart/${part.subtype}`, { ...part.params, boundary });
  yield headerBlock([...outer, ['Content-Type', contentType]]);
  yield bytes('\r\n');
  for (const [n, child] of part.parts.entries()) {
    yield bytes(`${n === 0 ? '' : '\r\n'}--${boundary}\r\n`);
    yield* write(child, options, []);
  }
  yield bytes(`\r\n--${boundary}--`);
}

const ids = (list: string[]): string => list.map((id) => `<${stripAngles(id)}>`).join(' ');

// Fields the builder writes itself: a second copy from `headers` would leave readers to pick one
// (a duplicate Content-Type or From is a known way to make a filter and a client disagree).
const OWN_FIELDS = new Set(['date', 'from', 'sender', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'message-id',
  'in-reply-to', 'references', 'mime-version']);

function checkExtraHeader(name: string): void {
  const lower = name.toLowerCase();
  if (OWN_FIELDS.has(lower) || lower.startsWith('content-')) {
    throw new MimeError('invalid-value', `header ${name} is written by the builder; use the description's field`);
  }
}

/** The message's own header fields (RFC 5322 §3.6), in the customary order. */
function messageHeaders(desc: MessageDescription, options: BuildOptions): PartHeader[] {
  // RFC 6532: with utf8, non-ASCII text goes raw; controls, "=?" and words that could pass the
  // 998-octet line limit (250 characters of up to 4 octets) still need encoded words.
  const raw = (value: string): boolean =>
    options.utf8 === true && !needsEncoding(value.replace(/[^\x00-\x7f]/g, '')) && !/[^ \t]{250,}/.test(value);
  const text = (value: string): string => (raw(value) ? value : encodeEncodedWords(value));
  const list = (value: Parameters<typeof formatAddressList>[0]): string => formatAddressList(value, { utf8: options.utf8 ?? false });
  const from = Array.isArray(desc.from) ? desc.from : [desc.from];
  // RFC 5322 §3.6.2: more than one author requires a Sender.
  if (from.length !== 1 && desc.sender === undefined) {
    throw new MimeError('invalid-value', 'From with more or less than one mailbox needs a sender (RFC 5322 §3.6.2)');
  }
  const headers: PartHeader[] = [
    ['Date', formatDate(desc.date ?? options.now)],
    ['From', list(from)],
  ];
  if (desc.sender) headers.push(['Sender', list([desc.sender])]);
  if (desc.to?.length) headers.push(['To', list(desc.to)]);
  if (desc.cc?.length) headers.push(['Cc', list(desc.cc)]);
  if (desc.replyTo?.length) headers.push(['Reply-To', list(desc.replyTo)]);
  if (desc.subject !== undefined) headers.push(['Subject', text(desc.subject)]);
  const messageId = desc.messageId ?? generateMessageId(options.now, options.random, options.messageIdDomain);
  headers.push(['Message-ID', ids([messageId])]);
  if (desc.inReplyTo?.length) headers.push(['In-Reply-To', ids(desc.inReplyTo)]);
  if (desc.references?.length) headers.push(['References', ids(desc.references)]);
  for (const { name, value } of desc.headers ?? []) {
    checkExtraHeader(name);
    headers.push([name, text(value)]);
  }
  headers.push(['MIME-Version', '1.0']);
  return headers;
}

/**
 * Builds `desc` as RFC 5322/MIME bytes with CRLF line ends, streamed: attachments given as
 * AsyncIterable are read once, chunk by chunk. Throws MimeError for a description it cannot
 * write (a bad or builder-owned extra header name, several authors without a sender,
 * message/rfc822 forced to base64, a bad messageIdDomain, an address that is not one).
 */
export async function* build(desc: MessageDescription, options: BuildOptions): AsyncIterable<Uint8Array> {
  const headers = messageHeaders(desc, options);
  let tail = [0, 0]; // the last two bytes written
  for await (const chunk of write(partsOf(desc), options, headers)) {
    tail = chunk.length >= 2 ? [chunk[chunk.length - 2] ?? 0, chunk[chunk.length - 1] ?? 0] : [tail[1] ?? 0, chunk[0] ?? 0];
    yield chunk;
  }
  // RFC 5322 §2.1 and SMTP's "CRLF.CRLF": a message ends with a line break. A single-part body
  // that does not end in one gains it here (all mailers do the same).
  if (tail[0] !== 0x0d || tail[1] !== 0x0a) yield bytes('\r\n');
}

/** build() collected into one Uint8Array, for small messages. */
export async function buildToBytes(desc: MessageDescription, options: BuildOptions): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of build(desc, options)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
