import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topFilter } from '@mailstack/pop3-core';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function run(message: string, n: number, chunkSize: number): string {
  const filter = topFilter(n);
  const data = bytes(message);
  let out = '';
  for (let i = 0; i < data.length && !filter.done; i += chunkSize) {
    out += Buffer.from(filter.push(data.subarray(i, i + chunkSize))).toString('latin1');
  }
  return out;
}

const MESSAGE = 'Subject: hi\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n';

describe('topFilter (RFC 1939 §7 TOP)', () => {
  it('passes the header, the blank line and n body lines', () => {
    expect(run(MESSAGE, 0, 1000)).toBe('Subject: hi\r\nFrom: a@b\r\n\r\n');
    expect(run(MESSAGE, 2, 1000)).toBe('Subject: hi\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\n');
  });

  it('passes the whole message when the body is shorter', () => {
    expect(run(MESSAGE, 10, 1000)).toBe(MESSAGE);
    expect(run('Subject: no body\r\n', 3, 1000)).toBe('Subject: no body\r\n');
  });

  it('does not take a header line ending in CR for the blank line', () => {
    expect(run('A: x\r\n\rB: y\r\n\r\nbody\r\n', 0, 1000)).toBe('A: x\r\n\rB: y\r\n\r\n');
  });

  it('reports done and then passes nothing', () => {
    const f = topFilter(0);
    expect(f.push(bytes('A: b\r\n\r\nbody'))).toHaveLength(8);
    expect(f.done).toBe(true);
    expect(f.push(bytes('more'))).toHaveLength(0);
  });

  it('gives the same output for any chunk size', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.nat({ max: 4 }), (size, n) => {
        expect(run(MESSAGE, n, size)).toBe(run(MESSAGE, n, 1000));
      }),
      { numRuns: 100 },
    ));
});
