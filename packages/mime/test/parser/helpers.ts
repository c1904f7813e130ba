// Test helpers: run the parser over chunks and summarise its events.
import { MimeStreamParser, type MimeEvent, type MimeParserOptions } from '@mailstack/mime';

export const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
export const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');
export const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/**
 * All events of parsing `chunks`, in order, with adjacent body-chunks of one part merged. With
 * `drainEach: false` every chunk and the end are received before the first nextEvent().
 */
export function eventsOf(chunks: Uint8Array[], options: Partial<MimeParserOptions> = {}, drainEach = true): MimeEvent[] {
  const parser = new MimeStreamParser(options);
  const out: MimeEvent[] = [];
  const drain = (): void => {
    for (let e = parser.nextEvent(); e.type !== 'need-data' && e.type !== 'end'; e = parser.nextEvent()) {
      const last = out[out.length - 1];
      if (e.type === 'body-chunk' && last?.type === 'body-chunk' && last.path === e.path) {
        out[out.length - 1] = { ...last, bytes: new Uint8Array(Buffer.concat([last.bytes, e.bytes])) };
      } else out.push(e.type === 'body-chunk' ? { ...e, bytes: new Uint8Array(e.bytes) } : e);
    }
  };
  for (const c of chunks) {
    parser.receive(c);
    if (drainEach) drain();
  }
  parser.receiveEof();
  drain();
  expectEnd(parser);
  return out;
}

function expectEnd(parser: MimeStreamParser): void {
  const e = parser.nextEvent();
  if (e.type !== 'end') throw new Error(`expected end, got ${e.type}`);
}

/** Splits `data` at the given cut points (taken modulo its length). */
export function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (data.length === 0 ? 0 : c % data.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  out.push(data.subarray(prev));
  return out;
}

/** Decoded body text per part path. */
export function bodies(events: MimeEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === 'body-chunk') out[e.path] = (out[e.path] ?? '') + text(e.bytes);
  return out;
}

/** part-end events keyed by `kind:path`. */
export function ends(events: MimeEvent[]): Record<string, Extract<MimeEvent, { type: 'part-end' }>> {
  const out: Record<string, Extract<MimeEvent, { type: 'part-end' }>> = {};
  for (const e of events) if (e.type === 'part-end') out[`${e.kind}:${e.path}`] = e;
  return out;
}

/** Defect codes in order. */
export function defects(events: MimeEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'defect' ? [e.defect.code] : []));
}
