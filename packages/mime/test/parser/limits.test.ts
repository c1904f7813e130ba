// Parser limits (options.ts): over a limit the parser records a defect and keeps framing.
import { DEFAULT_MIME_PARSER_OPTIONS } from '@mailstack/mime';
import { describe, expect, it } from 'vitest';
import { bodies, bytes, crlf, defects, ends, eventsOf } from './helpers.js';

describe('parser limits', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_MIME_PARSER_OPTIONS).toEqual({ maxHeaderBytes: 102_400, maxLineBytes: 65_536, maxParts: 10_000, maxDepth: 100 });
  });

  it('maxParts: later parts are framed but skipped, offsets stay right', () => {
    const parts = Array.from({ length: 5 }, (_, i) => `--b\n\npart ${i + 1}\n`).join('');
    const msg = crlf(`Content-Type: multipart/mixed; boundary=b\n\n${parts}--b--\nepilogue\n`);
    const ev = eventsOf([bytes(msg)], { maxParts: 2 });
    expect(bodies(ev)).toEqual({ '1': 'part 1', '2': 'part 2' });
    expect(defects(ev)).toEqual(['too-many-parts']);
    expect(ends(ev)['message:']?.offsets.bodyEnd).toBe(msg.length);
  });

  it('maxDepth: deeper multiparts stay opaque leaves', () => {
    const msg = crlf('Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\ndeep\n--b--\n--a--\n');
    const ev = eventsOf([bytes(msg)], { maxDepth: 1 });
    expect(defects(ev)).toEqual(['nesting-too-deep']);
    expect(bodies(ev)['1']).toBe(crlf('--b\n\ndeep\n--b--'));
  });

  it('message/rfc822 nesting counts towards maxDepth too', () => {
    const inner = 'Content-Type: message/rfc822\n\n'.repeat(6) + 'Subject: bottom\n\nbody\n';
    const ev = eventsOf([bytes(crlf(inner))], { maxDepth: 3 });
    expect(defects(ev)).toEqual(['nesting-too-deep']);
  });

  it('maxHeaderBytes: later fields are dropped, the body is still found', () => {
    const headers = Array.from({ length: 50 }, (_, i) => `X-Field-${i}: ${'v'.repeat(20)}\n`).join('');
    const ev = eventsOf([bytes(crlf(`${headers}\nthe body\n`))], { maxHeaderBytes: 200 });
    const start = ev.find((e) => e.type === 'part-start');
    expect(start?.type === 'part-start' && start.headers.length).toBeLessThan(10);
    expect(defects(ev)).toEqual(['header-too-long']);
    expect(bodies(ev)['']).toBe('the body\r\n');
  });

  it('maxLineBytes: an endless header line is cut without buffering it', () => {
    const ev = eventsOf([bytes('Subject: '), bytes('x'.repeat(5000)), bytes('x'.repeat(5000)), bytes('\r\nTo: a@b\r\n\r\nbody')], { maxLineBytes: 1000 });
    expect(defects(ev)).toEqual(['line-too-long']);
    const start = ev.find((e) => e.type === 'part-start');
    expect(start?.type === 'part-start' && start.headers.map((h) => h.name)).toEqual(['To']);
    expect(bodies(ev)['']).toBe('body');
  });

  it('a long header line fed in tiny chunks costs linear time (no re-copy or re-scan per chunk)', () => {
    const line = bytes(`Subject: ${'x'.repeat(60_000)}\r\n\r\nbody`);
    const chunks = Array.from({ length: Math.ceil(line.length / 3) }, (_, i) => line.subarray(i * 3, i * 3 + 3));
    const started = process.hrtime.bigint();
    const ev = eventsOf(chunks);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const start = ev.find((e) => e.type === 'part-start');
    expect(start?.type === 'part-start' && start.headers[0]?.value.length).toBe(60_000);
    expect(bodies(ev)['']).toBe('body');
    // Re-copying the partial line on every chunk (the first version) made this quadratic: 294 ms
    // against 69 ms for this input on the development machine; the bound only catches gross regressions.
    expect(ms).toBeLessThan(2_000);
  });
});
