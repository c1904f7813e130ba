// RFC 2046 §5.1: multipart bodies, delimiter lines, preamble and epilogue.
import { describe, expect, it } from 'vitest';
import { bodies, bytes, crlf, defects, ends, eventsOf, text } from './helpers.js';

const parseOne = (s: string) => eventsOf([bytes(s)]);

describe('RFC 2046 §5.1.1 delimiter lines', () => {
  it('the CRLF before a delimiter belongs to the delimiter, not to the part', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nline1\n\n--b--\n'));
    expect(bodies(ev)['1']).toBe('line1\r\n');
    expect(ends(ev)['part:1']?.lines).toBe(1);
  });

  it('accepts transport padding (SP/HTAB) after the boundary, and after the close "--"', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b \t\n\none\n--b\t\n\ntwo\n--b--  \nepilogue\n'));
    expect(bodies(ev)).toEqual({ '1': 'one', '2': 'two' });
    expect(defects(ev)).toEqual([]);
  });

  it('does not take a line with other text after the boundary as a delimiter', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx\n--b y\n--b--\n'));
    expect(bodies(ev)['1']).toBe('--bx\r\n--b y');
  });

  it('keeps the preamble and epilogue out of every part', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary="x"\n\npreamble\n--x\n\nbody\n--x--\nepilogue\n'));
    expect(bodies(ev)).toEqual({ '1': 'body' });
    const root = ends(ev)['message:'];
    expect(root?.offsets.bodyEnd).toBe(crlf('Content-Type: multipart/mixed; boundary="x"\n\npreamble\n--x\n\nbody\n--x--\nepilogue\n').length);
  });

  it('reads a delimiter right after the header block (empty preamble, empty part)', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n--b\n\nx\n--b--\n'));
    expect(bodies(ev)).toEqual({ '2': 'x' });
    const e1 = ends(ev)['part:1'];
    expect(e1?.sizeBytes).toBe(0);
    expect(e1?.lines).toBe(0);
  });

  it('the CRLF after a close delimiter is left to the epilogue or the next outer delimiter', () => {
    const msg = crlf('Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=i\n\n--i\n\nx\n--i--\n--o--\n');
    const ev = parseOne(msg);
    const inner = ends(ev)['part:1']!;
    expect(msg.slice(inner.offsets.bodyStart, inner.offsets.bodyEnd)).toBe(crlf('--i\n\nx\n--i--'));
  });

  it('lenient: a close delimiter followed by junk closes when nothing matches strictly', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b-->\nepilogue\n'));
    expect(bodies(ev)).toEqual({ '1': 'x' });
    expect(defects(ev)).toEqual([]);
  });

  it('works with bare LF line ends', () => {
    const ev = parseOne('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nhello\nworld\n--b--\n');
    expect(bodies(ev)['1']).toBe('hello\nworld');
  });

  it('accepts a close delimiter at the end of the data without a line break', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--'));
    expect(bodies(ev)).toEqual({ '1': 'x' });
    expect(defects(ev)).toEqual([]);
  });
});

describe('RFC 2046 §5.1.2 nested multiparts', () => {
  const nested = crlf(
    [
      'Content-Type: multipart/mixed; boundary="abc"',
      '',
      '--abc',
      'Content-Type: multipart/alternative; boundary="abc-1"',
      '',
      '--abc-1',
      '',
      'inner one',
      '--abc-1',
      '',
      'inner two',
      '--abc-1--',
      '--abc',
      '',
      'outer two',
      '--abc--',
      '',
    ].join('\n'),
  );

  it('an outer boundary that is a prefix of the inner one does not match inner delimiters', () => {
    expect(bodies(parseOne(nested))).toEqual({ '1.1': 'inner one', '1.2': 'inner two', '2': 'outer two' });
  });

  it('an inner boundary that is a prefix of the outer one does not match outer delimiters', () => {
    const swapped = nested
      .replace('boundary="abc"', 'boundary="OUTER"')
      .replace('boundary="abc-1"', 'boundary="abc"')
      .replace('boundary="OUTER"', 'boundary="abc-1"')
      .replace(/^--abc(--)?\r$/gm, '--OUTER$1\r')
      .replace(/^--abc-1(--)?\r$/gm, '--abc$1\r')
      .replace(/^--OUTER(--)?\r$/gm, '--abc-1$1\r');
    expect(swapped).toContain('--abc-1\r\n\r\nouter two');
    expect(bodies(parseOne(swapped))).toEqual({ '1.1': 'inner one', '1.2': 'inner two', '2': 'outer two' });
  });

  it('an outer delimiter closes an inner multipart that lacks its close delimiter (defect)', () => {
    const msg = crlf('Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=i\n\n--i\n\ninner\n--o\n\nouter\n--o--\n');
    const ev = parseOne(msg);
    expect(bodies(ev)).toEqual({ '1.1': 'inner', '2': 'outer' });
    expect(defects(ev)).toEqual(['close-boundary-not-found']);
  });
});

describe('RFC 2046 §5.1 damaged multiparts', () => {
  it('a missing final delimiter is a defect; the last part runs to the end', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nlast part\n'));
    expect(bodies(ev)['1']).toBe('last part\r\n');
    expect(defects(ev)).toEqual(['close-boundary-not-found']);
  });

  it('a multipart without any delimiter is a defect and has no parts', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\njust text\n'));
    expect(bodies(ev)).toEqual({});
    expect(defects(ev)).toEqual(['start-boundary-not-found']);
  });

  it('multipart without a boundary parameter is parsed as one leaf', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed\n\n--b\n\nx\n'));
    expect(defects(ev)).toEqual(['no-boundary-in-multipart']);
    expect(bodies(ev)['']).toBe(crlf('--b\n\nx\n'));
  });

  it('a delimiter inside a header block ends it with an empty body (defect)', () => {
    const ev = parseOne(crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n--b\n\nsecond\n--b--\n'));
    expect(bodies(ev)).toEqual({ '2': 'second' });
    expect(defects(ev)).toEqual(['missing-header-body-separator']);
  });
});

describe('RFC 2046 §5.1.5 multipart/digest', () => {
  it('parts without Content-Type default to message/rfc822', () => {
    const ev = parseOne(crlf('Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: inner\n\ndigest body\n--d--\n'));
    const starts = ev.filter((e) => e.type === 'part-start');
    expect(starts.map((e) => e.type === 'part-start' && `${e.kind}:${e.path}:${e.contentType.mediaType}`)).toEqual([
      'message::multipart/digest',
      'part:1:message/rfc822',
      'message:1:text/plain',
    ]);
    expect(text(Buffer.from(bodies(ev)['1'] ?? ''))).toBe('digest body');
  });
});
