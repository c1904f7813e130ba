// MimeStreamParser: a sans-I/O streaming MIME parser (RFC 5322, RFC 2045, RFC 2046) that turns
// bytes into events with byte offsets (STYLE.md §2, §4).
//
// How this works. receive() only appends; nextEvent() runs small steps over the unconsumed bytes:
// - header phase (the top entity has `body.mode === 'headers'`): one physical line at a time;
//   only the current partial line is buffered (capped by maxLineBytes);
// - body phase: Buffer.indexOf finds "\n--" candidates; bytes before a candidate are emitted at
//   once (transfer-decoded) and only a possible delimiter line, or the last 3 bytes, stay buffered.
// Entities form a stack (root message, multiparts, parts, encapsulated messages); a delimiter of
// any open multipart closes every entity above it (RFC 2046 §5.1.2: an outer boundary ends the
// inner parts too). Offsets count from the first byte given; line counts are LFs in the raw body.
// Limits (options.ts) turn into defects, never into exceptions.
import { MimeError, type MimeDefectCode } from '../errors.js';
import { parseContentType } from '../headers/params.js';
import { createTransferDecoder, isIdentityEncoding, type TransferDecoder } from '../transfer/decode-transfer.js';
import { matchBoundary, type BoundaryMatch } from './boundary.js';
import { childPath, type Entity, type HeaderReading } from './entity.js';
import type { MimeEvent } from './events.js';
import { classifyHeaderLine, isIndentedField, toHeaderField, type HeaderField, type HeaderLineKind } from './header-block.js';
import { DEFAULT_MIME_PARSER_OPTIONS, type MimeParserOptions } from './options.js';

const LF = 0x0a;
const CR = 0x0d;
// A pending partial line up to this long is bridged to the next chunk's first line (see #append).
const BRIDGE_MAX_BYTES = 4096;
const DASH = 0x2d;
const LINE_DASH_DASH = Buffer.from('\n--', 'latin1');
const MBOX_FROM = Buffer.from('From ', 'latin1');
const NEED_DATA: MimeEvent = Object.freeze({ type: 'need-data' });
const END: MimeEvent = Object.freeze({ type: 'end' });

/** A streaming MIME parser: receive() bytes, receiveEof(), and pull events with nextEvent(). */
export class MimeStreamParser {
  readonly #options: MimeParserOptions;
  #buf: Buffer = Buffer.alloc(0); // unconsumed input is #buf[#pos..]
  #store: Buffer | undefined; // our own buffer behind #buf (with spare capacity), if not a caller's chunk
  #lfSearchedTo = 0; // message offset up to which the current header line is known to have no LF
  #pos = 0;
  #base = 0; // offset in the message of #buf[0]
  #lf = 0; // LFs in the consumed bytes
  #eof = false; // the end of input is reached: receiveEof() was called and nothing is pending
  #eofReceived = false;
  #pending: Buffer[] = []; // received chunks not yet appended to #buf (after a bridge)
  #ended = false;
  #stack: Entity[] = [];
  #reading: HeaderReading | undefined;
  #atLineStart = false; // #pos starts a line that may be a delimiter without a CRLF of its own
  #parts = 0;
  #active: { bounds: Uint8Array[]; levels: number[] } | undefined; // cache of open delimiters
  #queue: MimeEvent[] = [];
  #head = 0;

  constructor(options: Partial<MimeParserOptions> = {}) {
    const d = DEFAULT_MIME_PARSER_OPTIONS;
    this.#options = {
      maxHeaderBytes: options.maxHeaderBytes ?? d.maxHeaderBytes,
      maxLineBytes: options.maxLineBytes ?? d.maxLineBytes,
      maxParts: options.maxParts ?? d.maxParts,
      maxDepth: options.maxDepth ?? d.maxDepth,
    };
    this.#open({ path: '', kind: 'message', depth: 0, inDigest: false });
  }

  /** Appends bytes of the message. The chunk must not be modified afterwards (events may share it). */
  receive(chunk: Uint8Array): void {
    if (this.#eofReceived) throw new MimeError('wrong-state', 'receive() after receiveEof()');
    if (chunk.length === 0) return;
    const incoming = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#pending.length > 0) this.#pending.push(incoming);
    else this.#append(incoming);
  }

  #append(incoming: Buffer): void {
    const used = this.#buf.length;
    const rest = used - this.#pos;
    if (rest <= 0) {
      // Nothing left over: adopt the chunk without copying (events may hand out views of it).
      this.#base += used;
      this.#buf = incoming;
      this.#store = undefined;
      this.#pos = 0;
      return;
    }
    const lf = rest <= BRIDGE_MAX_BYTES ? incoming.indexOf(LF) : -1;
    if (lf >= 0 && lf + 1 < incoming.length) {
      // A short partial line is pending (typically the end of a body line): join it with the
      // first line of the new chunk only, and adopt the rest of the chunk once that is consumed,
      // so a large chunk is not copied (and its copy not left for the GC) for a few bytes.
      const bridge = Buffer.allocUnsafe(rest + lf + 1);
      this.#buf.copy(bridge, 0, this.#pos);
      incoming.copy(bridge, rest, 0, lf + 1);
      this.#pending.unshift(incoming.subarray(lf + 1)); // before any chunk queued after it
      this.#base += this.#pos;
      this.#store = undefined;
      this.#buf = bridge;
      this.#pos = 0;
    } else if (this.#store && used + incoming.length <= this.#store.length) {
      // A partial line is pending: append into our own spare capacity, never over bytes already
      // handed out, so many small chunks cost amortised O(1) per byte instead of O(line length).
      this.#store.set(incoming, used);
      this.#buf = this.#store.subarray(0, used + incoming.length);
    } else {
      const store = Buffer.allocUnsafe(Math.max(2 * (rest + incoming.length), 4096));
      this.#buf.copy(store, 0, this.#pos);
      store.set(incoming, rest);
      this.#base += this.#pos;
      this.#store = store;
      this.#buf = store.subarray(0, rest + incoming.length);
      this.#pos = 0;
    }
  }

  /** Marks the end of the message. */
  receiveEof(): void {
    this.#eofReceived = true;
    this.#eof = this.#pending.length === 0;
  }

  /** Returns the next event; `need-data` when more input is needed, `end` once everything is out. */
  nextEvent(): MimeEvent {
    for (;;) {
      const event = this.#queue[this.#head];
      if (event !== undefined) {
        this.#head++;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
        return event;
      }
      if (this.#ended) return END;
      if (!this.#step() && this.#queue.length === 0) {
        const next = this.#pending.shift();
        if (next === undefined) return NEED_DATA;
        this.#append(next);
        this.#eof = this.#eofReceived && this.#pending.length === 0;
      }
    }
  }

  #offset(): number {
    return this.#base + this.#pos;
  }

  #defect(code: MimeDefectCode, path: string, detail: string): void {
    this.#queue.push({ type: 'defect', defect: { code, path, offset: this.#offset(), detail } });
  }

  #consume(to: number): void {
    const buf = this.#buf;
    for (let i = buf.indexOf(LF, this.#pos); i >= 0 && i < to; i = buf.indexOf(LF, i + 1)) this.#lf++;
    this.#pos = to;
  }

  #open(init: Pick<Entity, 'path' | 'kind' | 'depth' | 'inDigest'>): void {
    const at = this.#offset();
    this.#stack.push({
      path: init.path, kind: init.kind, depth: init.depth, inDigest: init.inDigest,
      headerStart: at, bodyStart: at, lfAtBodyStart: this.#lf, contentType: undefined, body: { mode: 'headers' },
    });
    this.#reading = { fields: [], current: [], bytes: 0, overLimit: false, discardingLine: false };
    this.#active = undefined;
  }

  #top(): Entity {
    return this.#stack[this.#stack.length - 1] as Entity;
  }

  #step(): boolean {
    return this.#reading ? this.#stepHeader(this.#reading) : this.#stepBody();
  }

  // ---- header phase ------------------------------------------------------------------------

  #stepHeader(r: HeaderReading): boolean {
    const buf = this.#buf;
    const end = buf.length;
    // Resume the LF search where the last step stopped, so a long line fed in small chunks is
    // scanned once, not once per chunk.
    const lf = buf.indexOf(LF, Math.max(this.#pos, this.#lfSearchedTo - this.#base));
    this.#lfSearchedTo = lf < 0 ? this.#base + end : 0;
    if (lf < 0 && !this.#eof) {
      if (end - this.#pos <= this.#options.maxLineBytes) return false;
      if (!r.discardingLine) this.#defect('line-too-long', this.#top().path, `header line over ${this.#options.maxLineBytes} bytes`);
      r.discardingLine = true;
      this.#consume(end);
      return true;
    }
    if (lf < 0 && this.#pos === end) {
      this.#endHeaders(r); // the message ends inside (or right after) its header block
      return true;
    }
    const lineEnd = lf < 0 ? end : lf + 1;
    const line = buf.subarray(this.#pos, lineEnd);
    if (r.discardingLine) {
      r.discardingLine = false;
      this.#consume(lineEnd);
      return true;
    }
    if (line[0] === DASH && line[1] === DASH && this.#delimiterAt(this.#pos, lineEnd).kind === 'match') {
      // RFC 2046 §5.1.1 wants a blank line after the header fields; a part cut short by the
      // next delimiter ends here with an empty body.
      this.#defect('missing-header-body-separator', this.#top().path, 'delimiter line inside a header block');
      this.#endHeaders(r);
      return true;
    }
    switch (classifyHeaderLine(line)) {
      case 'empty':
        this.#consume(lineEnd);
        this.#endHeaders(r);
        return true;
      case 'continuation':
        if (r.current.length > 0) r.current.push(line);
        else {
          this.#defect('first-line-continuation', this.#top().path, 'continuation line without a field');
          // Lenient: a wrongly indented first field (enmime's bad-header-start) is kept as a field.
          if (r.fields.length === 0 && isIndentedField(line)) r.current.push(line);
        }
        break;
      case 'field':
        this.#finishField(r);
        r.current.push(line);
        break;
      case 'invalid': {
        if (this.#offset() === 0 && buf.subarray(this.#pos, this.#pos + 5).equals(MBOX_FROM)) break; // RFC 4155 From_ line
        // Lenient: a non-field line between two fields is a broken fold (enmime's bad-header-wrap,
        // mailparser agrees): keep it as a continuation. Otherwise, as Python's email does, it starts the body.
        const next = r.current.length > 0 ? this.#lineKindAt(lineEnd) : 'invalid';
        if (next === 'need-more') return false;
        if (next === 'field' || next === 'continuation') {
          this.#defect('invalid-header-line', this.#top().path, 'a line that is not a field, kept as part of the previous field');
          r.current.push(line);
          break;
        }
        this.#defect('missing-header-body-separator', this.#top().path, 'a line that is not a header field ends the header block');
        this.#endHeaders(r);
        return true;
      }
    }
    r.bytes += line.length;
    if (r.bytes > this.#options.maxHeaderBytes && !r.overLimit) {
      r.overLimit = true;
      this.#defect('header-too-long', this.#top().path, `header block over ${this.#options.maxHeaderBytes} bytes`);
    }
    this.#consume(lineEnd);
    return true;
  }

  /** What the header line starting at `from` is; 'need-more' until it is complete. */
  #lineKindAt(from: number): HeaderLineKind | 'need-more' {
    const buf = this.#buf;
    const lf = buf.indexOf(LF, from);
    if (lf >= 0) return classifyHeaderLine(buf.subarray(from, lf + 1));
    if (this.#eof) return classifyHeaderLine(buf.subarray(from));
    return buf.length - from > this.#options.maxLineBytes ? 'invalid' : 'need-more';
  }

  #finishField(r: HeaderReading): void {
    if (r.current.length === 0) return;
    const raw = Buffer.concat(r.current); // a copy (small ones share Node's buffer pool)
    r.current = [];
    if (r.overLimit) return;
    const field = toHeaderField(raw);
    r.fields.push(field);
    const top = this.#top();
    this.#queue.push({ type: 'header', path: top.path, kind: top.kind, field });
  }

  #endHeaders(r: HeaderReading): void {
    this.#finishField(r);
    this.#reading = undefined;
    this.#active = undefined;
    this.#atLineStart = true;
    const e = this.#top();
    e.bodyStart = this.#offset();
    e.lfAtBodyStart = this.#lf;
    const { contentTypeValue, transferEncodingValue } = mimeFields(r.fields);
    // RFC 2046 §5.1.5: in a multipart/digest the default is message/rfc822.
    const contentType = parseContentType(contentTypeValue ?? (e.inDigest ? 'message/rfc822' : undefined));
    e.contentType = contentType;
    const transferEncoding = normalizeEncoding(transferEncodingValue);
    const identity = isIdentityEncoding(transferEncoding);
    const boundary = contentType.params['boundary'];
    const tooDeep = e.depth >= this.#options.maxDepth;
    if (contentType.type === 'multipart' && boundary && !tooDeep) {
      e.body = { mode: 'multipart', dashBoundary: boundaryBytes(boundary), children: 0, phase: 'preamble' };
    } else if (MESSAGE_TYPES.has(contentType.mediaType) && identity && !tooDeep) {
      e.body = { mode: 'message' };
    } else {
      if (contentType.type === 'multipart' && !boundary) this.#defect('no-boundary-in-multipart', e.path, 'parsed as a single part');
      else if (tooDeep && (contentType.type === 'multipart' || MESSAGE_TYPES.has(contentType.mediaType))) {
        this.#defect('nesting-too-deep', e.path, `nesting over ${this.#options.maxDepth}; kept as one opaque part`);
      }
      e.body = { mode: 'leaf', decoder: this.#decoderFor(transferEncoding, e.path), encoding: transferEncoding };
    }
    this.#queue.push({
      type: 'part-start', path: e.path, kind: e.kind, depth: e.depth, headers: r.fields, contentType, transferEncoding,
      offsets: { headerStart: e.headerStart, bodyStart: e.bodyStart },
    });
    if (e.body.mode === 'message') this.#open({ path: e.path, kind: 'message', depth: e.depth + 1, inDigest: false });
  }

  #decoderFor(encoding: string, path: string): TransferDecoder | undefined {
    const decoder = createTransferDecoder(encoding);
    if (decoder !== 'unknown') return decoder;
    this.#defect('unknown-transfer-encoding', path, `"${encoding}" passed through undecoded`);
    return undefined;
  }

  // ---- body phase --------------------------------------------------------------------------

  /** Open delimiters, innermost first, with the stack index of their multipart. */
  #delimiters(): { bounds: Uint8Array[]; levels: number[] } {
    if (this.#active) return this.#active;
    const bounds: Uint8Array[] = [];
    const levels: number[] = [];
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const body = (this.#stack[i] as Entity).body;
      if (body.mode === 'multipart' && body.phase !== 'epilogue') {
        bounds.push(body.dashBoundary);
        levels.push(i);
      }
    }
    this.#active = { bounds, levels };
    return this.#active;
  }

  #delimiterAt(lineStart: number, end: number): BoundaryMatch {
    return matchBoundary(this.#buf, lineStart, end, this.#eof || end < this.#buf.length, this.#delimiters().bounds, this.#options.maxLineBytes);
  }

  #stepBody(): boolean {
    const buf = this.#buf;
    const end = buf.length;
    if (this.#delimiters().bounds.length === 0) {
      // No framing left: the rest of the message belongs to the top entity.
      if (this.#pos < end) this.#emitContent(end);
      else if (this.#eof) this.#finishAll();
      else return false;
      return true;
    }
    if (this.#atLineStart) {
      const m = this.#delimiterAt(this.#pos, end);
      if (m.kind === 'need-more') return false;
      if (m.kind === 'match') {
        this.#onDelimiter(m);
        return true;
      }
      this.#atLineStart = false;
    }
    for (let from = this.#pos; ; ) {
      const nl = buf.indexOf(LINE_DASH_DASH, from);
      if (nl < 0) {
        const safe = this.#eof ? end : withheldTail(buf, this.#pos, end);
        if (safe > this.#pos) this.#emitContent(safe);
        else if (this.#eof) this.#finishAll();
        else return false;
        return true;
      }
      const m = this.#delimiterAt(nl + 1, end);
      if (m.kind === 'none') {
        from = nl + 1;
        continue;
      }
      // RFC 2046 §5.1.1: the CRLF before "--boundary" belongs to the delimiter.
      const contentEnd = nl > this.#pos && buf[nl - 1] === CR ? nl - 1 : nl;
      if (m.kind === 'need-more') {
        if (contentEnd <= this.#pos) return false;
        this.#emitContent(contentEnd);
        return true;
      }
      this.#emitContent(contentEnd);
      this.#onDelimiter(m);
      return true;
    }
  }

  #emitContent(to: number): void {
    const top = this.#top();
    if (top.body.mode === 'leaf' && to > this.#pos) {
      const raw = this.#buf.subarray(this.#pos, to);
      const bytes = top.body.decoder ? top.body.decoder.update(raw) : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      if (bytes.length > 0) this.#queue.push({ type: 'body-chunk', path: top.path, bytes });
    }
    this.#consume(to);
  }

  #onDelimiter(m: Extract<BoundaryMatch, { kind: 'match' }>): void {
    const level = this.#delimiters().levels[m.index] as number;
    this.#closeAbove(level);
    this.#active = undefined;
    const mp = this.#stack[level] as Entity;
    if (mp.body.mode !== 'multipart') return;
    if (m.close) {
      // RFC 2046 §5.1.1: close-delimiter transport-padding [CRLF epilogue]; that CRLF may also be
      // the leading CRLF of an outer delimiter, so it is left for the epilogue scan.
      this.#consume(m.paddingEnd);
      mp.body.phase = 'epilogue';
      return;
    }
    this.#consume(m.lineEnd);
    this.#atLineStart = true;
    mp.body.children++;
    this.#parts++;
    if (this.#parts > this.#options.maxParts) {
      if (mp.body.phase !== 'skip') this.#defect('too-many-parts', mp.path, `over ${this.#options.maxParts} parts; the rest is skipped`);
      mp.body.phase = 'skip';
      return;
    }
    mp.body.phase = 'part';
    this.#open({ path: childPath(mp.path, mp.body.children), kind: 'part', depth: mp.depth + 1, inDigest: mp.contentType?.subtype === 'digest' });
  }

  /** Closes every entity above stack index `level`, their bodies ending at the current offset. */
  #closeAbove(level: number): void {
    while (this.#stack.length - 1 > level) this.#close(this.#stack.pop() as Entity);
    this.#active = undefined;
  }

  #close(e: Entity): void {
    const bodyEnd = this.#offset();
    if (e.body.mode === 'leaf' && e.body.decoder) {
      const rest = e.body.decoder.finish();
      if (rest.length > 0) this.#queue.push({ type: 'body-chunk', path: e.path, bytes: rest });
      if (e.body.decoder.malformed) {
        const code = e.body.encoding === 'base64' ? 'invalid-base64' : 'invalid-quoted-printable';
        this.#defect(code, e.path, `malformed ${e.body.encoding} decoded leniently`);
      }
    } else if (e.body.mode === 'multipart' && e.body.phase !== 'epilogue') {
      const code = e.body.children === 0 ? 'start-boundary-not-found' : 'close-boundary-not-found';
      this.#defect(code, e.path, `multipart ended without ${e.body.children === 0 ? 'any delimiter' : 'its close delimiter'}`);
    }
    this.#queue.push({
      type: 'part-end', path: e.path, kind: e.kind,
      offsets: { headerStart: e.headerStart, bodyStart: e.bodyStart, bodyEnd },
      sizeBytes: bodyEnd - e.bodyStart, lines: this.#lf - e.lfAtBodyStart,
    });
  }

  #finishAll(): void {
    this.#closeAbove(-1);
    this.#ended = true;
  }
}

// RFC 2046 §5.2.1 and RFC 6532 §3.7: entities whose body is a whole message.
const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/** The first Content-Type and Content-Transfer-Encoding values of a header block. */
function mimeFields(fields: HeaderField[]): { contentTypeValue: string | undefined; transferEncodingValue: string | undefined } {
  let contentTypeValue: string | undefined;
  let transferEncodingValue: string | undefined;
  for (const f of fields) {
    // Cheap pre-check on the length before lower-casing ('content-type' is 12, the CTE name 25).
    if (f.name.length !== 12 && f.name.length !== 25) continue;
    const name = f.name.toLowerCase();
    if (name === 'content-type') contentTypeValue ??= f.value;
    else if (name === 'content-transfer-encoding') transferEncodingValue ??= f.value;
  }
  return { contentTypeValue, transferEncodingValue };
}

// RFC 2045 §6.1: the mechanism is a case-insensitive token; comments are tolerated; absent = 7bit.
function normalizeEncoding(value: string | undefined): string {
  if (value === undefined) return '7bit';
  const cleaned = (value.includes('(') ? value.replace(/\(.*?\)/g, '') : value).trim().toLowerCase();
  return cleaned === '' ? '7bit' : cleaned;
}

// The boundary parameter as the bytes that appear on the wire (header values decode as UTF-8
// when valid, else Latin-1; a value with only Latin-1 characters maps back one octet per char).
function boundaryBytes(boundary: string): Uint8Array {
  const latin1 = [...boundary].every((c) => c.charCodeAt(0) < 256);
  return Buffer.from(`--${boundary}`, latin1 ? 'latin1' : 'utf8');
}

// End of what may be emitted when no "\n--" was found: keep back a tail that could still become
// the start of a delimiter ("\r", "\n", "\r\n", "\n-", "\r\n-").
function withheldTail(buf: Uint8Array, pos: number, end: number): number {
  let e = end;
  if (e - 2 >= pos && buf[e - 1] === DASH && buf[e - 2] === LF) e -= 2;
  else if (e - 1 >= pos && buf[e - 1] === LF) e -= 1;
  if (e - 1 >= pos && buf[e - 1] === CR) e -= 1;
  return e;
}
