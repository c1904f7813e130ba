/**
 * Standard input of `mailstack sendmail` as lines, streamed: a long line comes in pieces, so
 * memory stays bounded whatever the input. Line ends are normalised to CRLF (RFC 5322 §2.1: the
 * queue holds the message as SMTP would carry it); without -i a line holding only "." ends the
 * message, as in sendmail(8) and Postfix's sendmail(1).
 */

/** Part of a line, without its line break; `first`/`last` mark the line's start and end. */
export interface LinePiece {
  bytes: Buffer;
  first: boolean;
  last: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
// A piece of a long line is yielded once this much of it is held.
const MAX_PIECE_BYTES = 64 * 1024;

/** Split a byte stream into line pieces, stopping at a lone "." line when `dotEnds`. */
export async function* readLines(source: AsyncIterable<Uint8Array>, dotEnds: boolean): AsyncGenerator<LinePiece> {
  let held = Buffer.alloc(0); // the current line's bytes not yet yielded
  let first = true; // nothing of the current line has been yielded yet
  for await (const chunk of source) {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let lf = data.indexOf(LF); lf >= 0; lf = data.indexOf(LF)) {
      let line = held.length === 0 ? data.subarray(0, lf) : Buffer.concat([held, data.subarray(0, lf)]);
      if (line.at(-1) === CR) line = line.subarray(0, -1);
      if (dotEnds && first && line.length === 1 && line[0] === DOT) return;
      yield { bytes: line, first, last: true };
      held = Buffer.alloc(0);
      first = true;
      data = data.subarray(lf + 1);
    }
    held = held.length === 0 ? Buffer.from(data) : Buffer.concat([held, data]);
    if (held.length >= MAX_PIECE_BYTES) {
      // Keep a final CR back: it may be the first half of a CRLF split across chunks.
      const keep = held.at(-1) === CR ? 1 : 0;
      yield { bytes: held.subarray(0, held.length - keep), first, last: false };
      held = held.subarray(held.length - keep);
      first = false;
    }
  }
  // EOF: a last line without a line break still counts as a line (and gets one).
  if (held.length === 0 && first) return;
  if (held.at(-1) === CR) held = held.subarray(0, -1);
  if (dotEnds && first && held.length === 1 && held[0] === DOT) return;
  yield { bytes: held, first, last: true };
}
