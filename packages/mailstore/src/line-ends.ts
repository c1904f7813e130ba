// Line ends on disk and on the wire.
//
// On disk a message is stored with LF line ends, as procmail, Dovecot and mutt store Maildir
// messages. A line end is an LF together with any CRs directly before it: delivery turns /\r*\n/
// into "\n" (Lenient: a stray CR before CRLF is folded into the line end rather than kept as a
// bare CR, which RFC 5322 §2.3 does not allow in a message anyway). A CR anywhere else is kept.
// On reading for POP3/IMAP (RFC 1939 §3, RFC 9051 §2.2) every LF that has no CR before it becomes
// CRLF, so files that other tools wrote with CRLF read correctly too.

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);

/** Streaming CRLF→LF conversion that also counts what it wrote. */
export class LfNormalizer {
  #pendingCrs = 0;
  /** Octets written so far (the on-disk size). */
  sizeBytes = 0;
  /** LFs written so far (each becomes CRLF on the wire). */
  lineEnds = 0;

  /**
   * Convert one chunk; CRs at its end are held until the next byte shows whether an LF follows.
   * The runs between CRs are found with indexOf and copied whole (a byte loop over each 4 KiB
   * SMTP body cost ~20 µs per message in serve's profile).
   */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#pendingCrs === 0 && chunk.indexOf(CR) < 0) return this.#emit(chunk);
    const out = new Uint8Array(chunk.length + this.#pendingCrs);
    return out.subarray(0, this.#convertInto(chunk, out, 0));
  }

  /**
   * Convert a whole message held in memory (its parts in order) into one new buffer, the held
   * CRs at its end included: one copy and one write(2), where push() per part and a gathered
   * write would copy every byte twice.
   */
  convertAll(parts: readonly Uint8Array[]): Uint8Array {
    let total = this.#pendingCrs;
    for (const part of parts) total += part.length;
    const out = new Uint8Array(total); // the output is never longer than the input
    let n = 0;
    for (const part of parts) n = this.#convertInto(part, out, n);
    const held = this.end();
    out.set(held, n);
    return out.subarray(0, n + held.length);
  }

  /** Convert `chunk` into `out` from offset `at` (room enough for it and the held CRs); returns the end. */
  #convertInto(chunk: Uint8Array, out: Uint8Array, at: number): number {
    let n = at;
    for (let from = 0; from < chunk.length; ) {
      const cr = chunk.indexOf(CR, from);
      const end = cr < 0 ? chunk.length : cr;
      if (end > from) {
        // The held CRs are a line end if this run starts with LF, else kept as they were.
        if (chunk[from] !== LF) {
          out.fill(CR, n, n + this.#pendingCrs);
          n += this.#pendingCrs;
        }
        this.#pendingCrs = 0;
        out.set(chunk.subarray(from, end), n);
        n += end - from;
      }
      if (cr < 0) break;
      this.#pendingCrs++; // a run of CRs is held one by one: each next indexOf finds the next CR at once
      from = cr + 1;
    }
    this.#emit(out.subarray(at, n));
    return n;
  }

  /** The CRs still held at the end of the message. */
  end(): Uint8Array {
    const out = new Uint8Array(this.#pendingCrs).fill(CR);
    this.#pendingCrs = 0;
    return this.#emit(out);
  }

  /** The size of what was written, with every LF counted as CRLF. */
  get crlfSizeBytes(): number {
    return this.sizeBytes + this.lineEnds;
  }

  #emit(bytes: Uint8Array): Uint8Array {
    this.sizeBytes += bytes.length;
    for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) this.lineEnds++;
    return bytes;
  }
}

/** Streaming bare-LF→CRLF conversion (an LF that already has a CR before it is left alone). */
export class CrlfExpander {
  #lastWasCr = false;
  /** Octets produced so far. */
  sizeBytes = 0;

  /** Convert one chunk. */
  push(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return EMPTY;
    let bare = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      if (!this.#crBefore(chunk, i)) bare++;
    }
    let out = chunk;
    if (bare > 0) {
      out = new Uint8Array(chunk.length + bare);
      let n = 0;
      let from = 0;
      for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
        if (this.#crBefore(chunk, i)) continue;
        out.set(chunk.subarray(from, i), n);
        n += i - from;
        out[n++] = CR;
        from = i;
      }
      out.set(chunk.subarray(from), n);
    }
    this.#lastWasCr = chunk[chunk.length - 1] === CR;
    this.sizeBytes += out.length;
    return out;
  }

  #crBefore(chunk: Uint8Array, i: number): boolean {
    return i > 0 ? chunk[i - 1] === CR : this.#lastWasCr;
  }
}

/** Yield the chunks of a stream with bare LFs turned into CRLF. */
export async function* expandToCrlf(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const expander = new CrlfExpander();
  for await (const chunk of source) {
    const out = expander.push(chunk);
    if (out.length > 0) yield out;
  }
}
