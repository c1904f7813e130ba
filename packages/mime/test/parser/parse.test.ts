// parse() / parseStream() / parseEvents(): the convenience tree over the streaming parser.
import { parse, parseEvents, parseStream } from '@mailstack/mime';
import { describe, expect, it } from 'vitest';
import { crlf } from './helpers.js';

const MSG = crlf(`From: =?utf-8?q?J=C3=B6rg?= <jorg@example.test>
To: a@example.test, Team: b@example.test, c@example.test;
Cc: d@example.test
Subject: =?iso-8859-1?q?R=E9sum=E9?=
Message-ID: <id-1@example.test>
Date: Thu, 26 Nov 2026 15:00:00 +0100
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9 cr=E8me=
 br=FBl=E9e
--alt
Content-Type: text/html; charset=utf-8

<b>caf\u00e9</b>
--alt--
--m
Content-Type: application/pdf; name="fallback.pdf"
Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--m
Content-Type: image/png
Content-Disposition: inline
Content-ID: <img1@example.test>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--m--
`);

describe('parse()', () => {
  const m = parse(MSG);

  it('decodes the root header values on first access and keeps them', () => {
    const m = parse(MSG);
    expect(m.from).toBe(m.from); // the same array: parsed once
    expect(m.date).toBe(m.date);
    expect(m.subject).toBe('Résumé');
    expect(m.messageId).toBe('id-1@example.test');
    expect(m.cc).toEqual([{ name: '', address: 'd@example.test' }]);
  });
  it('decodes the usual headers through the header functions', () => {
    expect(m.subject).toBe('Résumé');
    expect(m.from).toEqual([{ name: 'Jörg', address: 'jorg@example.test' }]);
    expect(m.to).toEqual([
      { name: '', address: 'a@example.test' },
      { group: 'Team', members: [{ name: '', address: 'b@example.test' }, { name: '', address: 'c@example.test' }] },
    ]);
    expect(m.cc).toEqual([{ name: '', address: 'd@example.test' }]);
    expect(m.messageId).toBe('id-1@example.test');
    expect(m.date?.toISOString()).toBe('2026-11-26T14:00:00.000Z');
  });

  it('transfer- and charset-decodes text and html', () => {
    expect(m.text).toBe('café crème brûlée');
    expect(m.html).toBe('<b>café</b>');
  });

  it('lists attachments with RFC 2231 file names, content ids and decoded bytes', () => {
    expect(m.attachments.map(({ path, contentType, filename, disposition, contentId, size }) => ({ path, contentType, filename, disposition, contentId, size }))).toEqual([
      { path: '2', contentType: 'application/pdf', filename: 'résumé.pdf', disposition: 'attachment', contentId: undefined, size: 9 },
      { path: '3', contentType: 'image/png', filename: undefined, disposition: 'inline', contentId: 'img1@example.test', size: 8 },
    ]);
    expect(Buffer.from(m.attachments[0]!.content).toString()).toBe('%PDF-1.4\n');
  });

  it('records an unknown charset as a defect and still decodes the text', () => {
    const r = parse(crlf('Content-Type: text/plain; charset=x-nonsense\n\ngr\u00fc\u00dfe'));
    expect(r.text).toBe('grüße');
    expect(r.defects.map((d) => d.code)).toEqual(['unknown-charset']);
  });
});

describe('parseStream() and parseEvents()', () => {
  async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  }

  it('parseStream gives the same message as parse for any chunk size', async () => {
    const data = Buffer.from(MSG);
    const whole = parse(data);
    for (const size of [1, 7, 64, 4096]) {
      const streamed = await parseStream(chunks(data, size));
      expect(streamed.text).toBe(whole.text);
      expect(streamed.attachments).toEqual(whole.attachments);
      expect(streamed.root.offsets).toEqual(whole.root.offsets);
    }
  });

  it('parseEvents yields events without need-data/end, ending with the root part-end', async () => {
    const types: string[] = [];
    for await (const e of parseEvents(chunks(Buffer.from(MSG), 50))) types.push(e.type);
    expect(types).not.toContain('need-data');
    expect(types.at(-1)).toBe('part-end');
    expect(types.filter((t) => t === 'part-start')).toHaveLength(6);
  });
});
