// RFC 3501 §6.4.5 (BODY[section]) and §7.4.2 (BODYSTRUCTURE): part numbers, raw offsets that serve
// HEADER / MIME / TEXT sections by slicing, and body line counts (SPEC.md §7).
import { parse } from '@mailstack/mime';
import { describe, expect, it } from 'vitest';
import { bytes, crlf, ends, eventsOf, text } from './helpers.js';

// RFC 3501 §6.4.5's example structure, abridged: a multipart/mixed holding text, an
// application part, a message/rfc822 (itself multipart), and a nested multipart.
const MSG = crlf(`From: a@example.test
Subject: sections
MIME-Version: 1.0
Content-Type: MULTIPART/MIXED; boundary="outer"

--outer
Content-Type: TEXT/PLAIN; charset=us-ascii

part one
--outer
Content-Type: APPLICATION/OCTET-STREAM
Content-Transfer-Encoding: base64

AAEC
--outer
Content-Type: MESSAGE/RFC822

Subject: inner
Content-Type: multipart/alternative; boundary="in"

--in
Content-Type: text/plain

inner text
--in
Content-Type: text/html

<p>inner html</p>
--in--
--outer
Content-Type: multipart/mixed; boundary="x"

--x
Content-Type: image/gif

GIF89a
--x
Content-Type: message/rfc822

Subject: single

single body
line two
--x--

--outer--
`);

describe('RFC 3501 §6.4.5 part numbers', () => {
  const ev = eventsOf([bytes(MSG)]);
  const keys = ev.filter((e) => e.type === 'part-start').map((e) => (e.type === 'part-start' ? `${e.kind}:${e.path}` : ''));

  it('numbers parts as IMAP does; an encapsulated message shares its part number', () => {
    expect(keys).toEqual([
      'message:', 'part:1', 'part:2', 'part:3', 'message:3', 'part:3.1', 'part:3.2',
      'part:4', 'part:4.1', 'part:4.2', 'message:4.2',
    ]);
  });

  it('offsets slice out HEADER, MIME and TEXT sections exactly', () => {
    const raw = bytes(MSG);
    const e = ends(ev);
    const slice = (from: number, to: number) => text(raw.subarray(from, to));
    const p1 = e['part:1']!;
    expect(slice(p1.offsets.headerStart, p1.offsets.bodyStart)).toBe('Content-Type: TEXT/PLAIN; charset=us-ascii\r\n\r\n'); // 1.MIME
    expect(slice(p1.offsets.bodyStart, p1.offsets.bodyEnd)).toBe('part one'); // BODY[1]
    const m3 = e['message:3']!;
    expect(slice(m3.offsets.headerStart, m3.offsets.bodyStart)).toBe(crlf('Subject: inner\nContent-Type: multipart/alternative; boundary="in"\n\n')); // 3.HEADER
    expect(slice(m3.offsets.bodyStart, m3.offsets.bodyEnd)).toMatch(/^--in\r\n[\s\S]*--in--$/); // 3.TEXT
    const p3 = e['part:3']!;
    expect(p3.offsets.bodyStart).toBe(m3.offsets.headerStart); // BODY[3] is the whole message
    expect(p3.offsets.bodyEnd).toBe(m3.offsets.bodyEnd);
    const single = e['message:4.2']!;
    expect(slice(single.offsets.bodyStart, single.offsets.bodyEnd)).toBe('single body\r\nline two'); // BODY[4.2.1]
    const root = e['message:']!;
    expect(root.offsets.bodyEnd).toBe(raw.length);
  });

  it('sizes are raw octets and lines count the line breaks of the raw body', () => {
    const e = ends(ev);
    expect(e['part:2']).toMatchObject({ sizeBytes: 4, lines: 0 });
    expect(e['message:4.2']).toMatchObject({ sizeBytes: 'single body\r\nline two'.length, lines: 1 });
    expect(e['part:4.1']).toMatchObject({ sizeBytes: 6, lines: 0 });
    const root = e['message:']!;
    const body = MSG.slice(root.offsets.bodyStart);
    expect(root.lines).toBe(body.split('\n').length - 1);
  });

  it('parse() builds the same tree with decoded leaf content', () => {
    const m = parse(MSG);
    expect(m.root.children.map((c) => c.path)).toEqual(['1', '2', '3', '4']);
    expect(m.root.children[2]?.children[0]?.kind).toBe('message');
    expect([...(m.root.children[1]?.content ?? [])]).toEqual([0, 1, 2]);
    expect(m.text).toBe('part one\ninner text\nsingle body\r\nline two');
    expect(m.html).toBe('<p>inner html</p>');
    expect(m.attachments.map((a) => `${a.path} ${a.contentType} ${a.size}`)).toEqual(['2 application/octet-stream 3', '4.1 image/gif 6']);
  });
});

describe('RFC 3501 §6.4.5 a non-multipart message', () => {
  it('is one entity whose body is part 1; offsets cover header and body', () => {
    const msg = crlf('Subject: x\n\nhello\nthere\n');
    const ev = eventsOf([bytes(msg)]);
    const root = ends(ev)['message:']!;
    expect(root.offsets).toEqual({ headerStart: 0, bodyStart: 14, bodyEnd: msg.length });
    expect(root.lines).toBe(2);
  });

  it('a message with no body ends at its header block', () => {
    const ev = eventsOf([bytes('Subject: x\r\n')]);
    expect(ends(ev)['message:']?.offsets).toEqual({ headerStart: 0, bodyStart: 12, bodyEnd: 12 });
  });
});
