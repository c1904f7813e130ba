// Convenience entry points over MimeStreamParser: parse() for a message in memory, parseStream()
// for an AsyncIterable of chunks, parseEvents() to drive the parser from a stream yourself.
import { decodeCharset, resolveCharset } from '../charset.js';
import type { MimeDefect } from '../errors.js';
import { parseAddressList, type Address } from '../headers/addresses.js';
import { parseDate } from '../headers/dates.js';
import { decodeEncodedWords } from '../headers/encoded-words.js';
import { parseMessageIds } from '../headers/message-ids.js';
import type { MimeEvent } from './events.js';
import type { HeaderList } from './header-list.js';
import type { MimeParserOptions } from './options.js';
import { MimeStreamParser } from './stream-parser.js';
import { MimeTreeBuilder, type MimeNode } from './tree.js';

/** A leaf that is not body text: a file, an image, a non-text part. */
export interface Attachment {
  path: string;
  /** Lower-cased media type, e.g. 'image/png'. */
  contentType: string;
  filename: string | undefined;
  /** Content-Disposition type ('attachment', 'inline') or undefined when absent. */
  disposition: string | undefined;
  /** Content-ID without angle brackets (RFC 2392), for inline images. */
  contentId: string | undefined;
  /** Decoded size in octets. */
  size: number;
  content: Uint8Array;
}

/** A parsed message: its tree, the usual header values decoded, body text and attachments. */
export interface ParsedMessage {
  root: MimeNode;
  headers: HeaderList;
  /** RFC 2047-decoded Subject. */
  subject: string | undefined;
  from: Address[];
  to: Address[];
  cc: Address[];
  /** Date header (RFC 5322 §3.3, obsolete forms accepted), undefined if absent or unreadable. */
  date: Date | undefined;
  messageId: string | undefined;
  /** The inline text/plain parts, charset-decoded, joined by "\n". */
  text: string | undefined;
  /** The inline text/html parts, charset-decoded, joined by "\n". */
  html: string | undefined;
  attachments: Attachment[];
  defects: MimeDefect[];
}

const TEXT_TYPES = new Set(['text/plain', 'text/html']);

/** Parses a whole message in memory (a string is taken as UTF-8, RFC 6532). Never throws on bad input. */
export function parse(input: Uint8Array | string, options: Partial<MimeParserOptions> = {}): ParsedMessage {
  const parser = new MimeStreamParser(options);
  parser.receive(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  parser.receiveEof();
  const builder = new MimeTreeBuilder();
  for (let event = parser.nextEvent(); event.type !== 'end'; event = parser.nextEvent()) builder.add(event);
  return toParsedMessage(builder);
}

/** Parses a message from a stream of chunks; the tree holds each leaf's decoded bytes. */
export async function parseStream(source: AsyncIterable<Uint8Array>, options: Partial<MimeParserOptions> = {}): Promise<ParsedMessage> {
  const builder = new MimeTreeBuilder();
  for await (const event of parseEvents(source, options)) builder.add(event);
  return toParsedMessage(builder);
}

/** Runs MimeStreamParser over a stream and yields its events (without need-data and end). */
export async function* parseEvents(source: AsyncIterable<Uint8Array>, options: Partial<MimeParserOptions> = {}): AsyncGenerator<MimeEvent> {
  const parser = new MimeStreamParser(options);
  const drain = function* (): Generator<MimeEvent> {
    for (let event = parser.nextEvent(); event.type !== 'need-data' && event.type !== 'end'; event = parser.nextEvent()) yield event;
  };
  for await (const chunk of source) {
    parser.receive(chunk);
    yield* drain();
  }
  parser.receiveEof();
  yield* drain();
}

function toParsedMessage(builder: MimeTreeBuilder): ParsedMessage {
  const root = builder.root as MimeNode; // the parser always closes the root before 'end'
  const defects = [...builder.defects];
  const text: string[] = [];
  const html: string[] = [];
  const attachments: Attachment[] = [];
  for (const node of leaves(root)) {
    const type = node.contentType.mediaType;
    const disposition = node.disposition?.type;
    if (TEXT_TYPES.has(type) && (disposition === undefined || disposition === 'inline')) {
      const charset = node.contentType.params['charset'];
      if (!resolveCharset(charset).known) {
        defects.push({ code: 'unknown-charset', path: node.path, offset: node.offsets.bodyStart, detail: `charset "${charset}"` });
      }
      (type === 'text/html' ? html : text).push(decodeCharset(node.content, charset));
    } else {
      attachments.push({
        path: node.path, contentType: type, filename: node.filename, disposition,
        contentId: node.headers.get('content-id')?.replace(/^\s*<|>\s*$/g, ''),
        size: node.content.length, content: node.content,
      });
    }
  }
  return new LazyParsedMessage(root, defects, attachments, text.length > 0 ? text.join('\n') : undefined, html.length > 0 ? html.join('\n') : undefined);
}

const mapDefined = <T>(raw: string | undefined, f: (value: string) => T): T | undefined => (raw === undefined ? undefined : f(raw));

/**
 * The root's header values are parsed on first access only (then kept): most callers read a
 * few of them, and addresses, dates and encoded words are the costly part of a parse.
 */
class LazyParsedMessage implements ParsedMessage {
  readonly headers: HeaderList;
  #subject: { value: string | undefined } | undefined;
  #date: { value: Date | undefined } | undefined;
  #messageId: { value: string | undefined } | undefined;
  readonly #addresses = new Map<string, Address[]>();

  constructor(
    readonly root: MimeNode,
    readonly defects: MimeDefect[],
    readonly attachments: Attachment[],
    readonly text: string | undefined,
    readonly html: string | undefined,
  ) {
    this.headers = root.headers;
  }

  get subject(): string | undefined {
    this.#subject ??= { value: mapDefined(this.headers.get('subject'), decodeEncodedWords) };
    return this.#subject.value;
  }

  get date(): Date | undefined {
    this.#date ??= { value: mapDefined(this.headers.get('date'), parseDate) };
    return this.#date.value;
  }

  get messageId(): string | undefined {
    this.#messageId ??= { value: parseMessageIds(this.headers.get('message-id') ?? '')[0] };
    return this.#messageId.value;
  }

  get from(): Address[] {
    return this.#list('from');
  }

  get to(): Address[] {
    return this.#list('to');
  }

  get cc(): Address[] {
    return this.#list('cc');
  }

  #list(name: string): Address[] {
    let list = this.#addresses.get(name);
    if (list === undefined) {
      list = this.headers.getAll(name).flatMap((v) => parseAddressList(v));
      this.#addresses.set(name, list);
    }
    return list;
  }
}

/** Leaves of the tree in message order (multiparts and message/rfc822 parts are walked into). */
function* leaves(node: MimeNode): Generator<MimeNode> {
  if (node.children.length === 0) {
    if (!node.contentType.mediaType.startsWith('multipart/')) yield node;
    return;
  }
  for (const child of node.children) yield* leaves(child);
}
