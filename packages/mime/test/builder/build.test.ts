import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { build, buildToBytes } from '../../src/builder/build.js';
import { MimeError } from '../../src/errors.js';
import { options, text } from './helpers.js';

const from = { name: 'Jörg Müller', address: 'joerg@example.test' };

describe('builder: structure and headers', () => {
  it('a plain text message', async () => {
    const out = text(await buildToBytes({ from, to: [{ name: '', address: 'a@x.test' }], subject: 'Hello', text: 'Hi.\n' }, options()));
    expect(out).toMatch(/^Date: Thu, 26 Nov 2026 15:00:00 \+0000\r\n/);
    expect(out).toContain('From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.test>\r\n');
    expect(out).toContain('To: a@x.test\r\n');
    expect(out).toContain('Subject: Hello\r\n');
    expect(out).toMatch(/\r\nMessage-ID: <[0-9a-z]+\.[0-9a-f]{32}@mx\.example\.test>\r\n/);
    expect(out).toContain('MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHi.\r\n');
    expect(out.endsWith('\r\n\r\nHi.\r\n')).toBe(true);
    expect(out).not.toMatch(/[^\r]\n/);
  });
  it('every line is CRLF-terminated and within 78 characters in the header', async () => {
    const out = text(await buildToBytes({
      from,
      to: Array.from({ length: 12 }, (_, i) => ({ name: `Person Number ${i}`, address: `person${i}@example.test` })),
      subject: 'A subject with ümlauts that is long enough to need folding over more than one line of text',
      text: 'x',
    }, options()));
    const head = out.slice(0, out.indexOf('\r\n\r\n'));
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(out.endsWith('\r\n')).toBe(true);
  });
  it('text + html + inline image + attachment + forward nest as mixed(alternative(text, related(html, image)), pdf, rfc822)', async () => {
    const out = text(await buildToBytes({
      from,
      subject: 's',
      text: 'plain',
      html: '<p>html <img src="cid:logo@x"></p>',
      attachments: [
        { filename: 'logo.png', contentType: 'image/png', content: new Uint8Array([137, 80, 78, 71]), contentId: 'logo@x' },
        { filename: 'doc.pdf', contentType: 'application/pdf', content: new Uint8Array([37, 80, 68, 70, 0, 255]) },
      ],
      forward: 'From: a@x.test\r\nSubject: fwd\r\n\r\nbody\r\n',
    }, options()));
    const types = [...out.matchAll(/^Content-Type: ([a-z0-9/.+-]+)/gim)].map((m) => m[1]);
    expect(types).toEqual([
      'multipart/mixed', 'multipart/alternative', 'text/plain', 'multipart/related', 'text/html', 'image/png',
      'application/pdf', 'message/rfc822',
    ]);
    expect(out).toMatch(/multipart\/related; type="text\/html";\s+boundary=/);
    expect(out).toContain('Content-ID: <logo@x>');
    expect(out).toContain('Content-Disposition: inline; filename=logo.png');
    expect(out).toMatch(/Content-Type: message\/rfc822\r\nContent-Transfer-Encoding: 7bit/);
  });
  it('an attachment without any body is still multipart/mixed', async () => {
    const out = text(await buildToBytes({ from, attachments: [{ filename: 'a.bin', content: new Uint8Array([1, 2, 3]) }] }, options()));
    expect(out).toMatch(/Content-Type: multipart\/mixed; boundary="=_mailstack_[0-9a-f]{24}"/);
    expect(out).toContain('Content-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64');
  });
  it('an empty description is an empty text/plain message', async () => {
    const out = text(await buildToBytes({ from }, options()));
    expect(out).toMatch(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n$/);
  });
});

describe('builder: parsed back by mailparser', () => {
  it('gives back text, html, addresses, subject, attachments with names and bytes', async () => {
    const pdf = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255);
    const raw = await buildToBytes({
      from,
      to: [{ name: 'Doe, John', address: 'john@x.test' }, { group: 'undisclosed-recipients', members: [] }],
      cc: [{ name: '日本 太郎', address: 'taro@x.test' }],
      subject: 'Grüße — 日本語のテキスト and a rather long subject line that needs folding',
      text: 'Hällo\nline two with a trailing space \nand a very long line ' + 'x'.repeat(1200) + '\n',
      html: '<p>Hällo</p>',
      attachments: [
        { filename: 'résumé €.pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'a'.repeat(90) + '.txt', contentType: 'text/plain', content: 'short\r\n' },
      ],
      inReplyTo: ['a@b.test'],
      references: ['z@b.test', 'a@b.test'],
    }, options());
    const mail = await simpleParser(Buffer.from(raw));
    expect(mail.subject).toBe('Grüße — 日本語のテキスト and a rather long subject line that needs folding');
    expect(mail.text).toBe('Hällo\nline two with a trailing space \nand a very long line ' + 'x'.repeat(1200) + '\n');
    expect(mail.html).toBe('<p>Hällo</p>');
    expect(mail.from?.value).toEqual([{ name: 'Jörg Müller', address: 'joerg@example.test' }]);
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.value[0]).toEqual({ name: 'Doe, John', address: 'john@x.test' });
    const cc = Array.isArray(mail.cc) ? mail.cc[0] : mail.cc;
    expect(cc?.value[0]).toEqual({ name: '日本 太郎', address: 'taro@x.test' });
    expect(mail.attachments.map((a) => a.filename)).toEqual(['résumé €.pdf', 'a'.repeat(90) + '.txt']);
    expect(new Uint8Array(mail.attachments[0]?.content ?? [])).toEqual(pdf);
    expect(mail.attachments[1]?.content.toString()).toBe('short\r\n');
    expect(mail.inReplyTo).toBe('<a@b.test>');
    expect(mail.references).toEqual(['<z@b.test>', '<a@b.test>']);
  });
});

describe('builder: streaming', () => {
  it('streams a large attachment from an AsyncIterable with flat memory', async () => {
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 255);
    const chunks = 1024; // 64 MiB
    async function* source(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < chunks; i++) yield chunk;
    }
    let total = 0;
    let peak = 0;
    const started = performance.now();
    const before = process.memoryUsage();
    let n = 0;
    for await (const out of build({ from, text: 'see attached', attachments: [{ filename: 'big.bin', content: source() }] }, options())) {
      total += out.length;
      if (++n % 256 === 0) {
        const now = process.memoryUsage();
        peak = Math.max(peak, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`build: 64 MiB attachment streamed as base64 in ${seconds.toFixed(2)} s ` +
      `(${(64 / seconds).toFixed(0)} MiB/s), heap+arrayBuffers growth ${(peak / 2 ** 20).toFixed(1)} MiB`);
    expect(total).toBeGreaterThan((chunks * chunk.length * 4) / 3);
    expect(peak).toBeLessThan(48 * 1024 * 1024);
  });
});

describe('builder: caller-supplied fields', () => {
  it('takes ids with or without angle brackets', async () => {
    const out = text(await buildToBytes({
      from, messageId: '<m@x.test>', inReplyTo: ['a@x.test'], references: ['<r@x.test>', 'a@x.test'], text: 'x',
      html: '<img src="cid:c@x">', attachments: [{ content: 'gif', contentType: 'image/gif', contentId: '<c@x>' }],
    }, options()));
    expect(out).toContain('\r\nMessage-ID: <m@x.test>\r\n');
    expect(out).toContain('\r\nIn-Reply-To: <a@x.test>\r\n');
    expect(out).toContain('\r\nReferences: <r@x.test> <a@x.test>\r\n');
    expect(out).toContain('\r\nContent-ID: <c@x>\r\n');
  });
  it('writes extra headers encoded, and refuses the ones it writes itself', async () => {
    const out = text(await buildToBytes({ from, headers: [{ name: 'X-Note', value: 'Grüße' }, { name: 'List-Id', value: '<l.x.test>' }] }, options()));
    expect(out).toContain('\r\nX-Note: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nList-Id: <l.x.test>\r\n');
    for (const name of ['Content-Type', 'from', 'MIME-Version', 'Bcc']) {
      await expect(buildToBytes({ from, headers: [{ name, value: 'x' }] }, options())).rejects.toThrow(MimeError);
    }
    await expect(buildToBytes({ from, headers: [{ name: 'Bad Name', value: 'x' }] }, options())).rejects.toThrow(MimeError);
  });
  it('RFC 5322 §3.6.2: several authors need a Sender', async () => {
    const authors = [from, { name: '', address: 'b@x.test' }];
    await expect(buildToBytes({ from: authors }, options())).rejects.toThrow(MimeError);
    const out = text(await buildToBytes({ from: authors, sender: from }, options()));
    expect(out).toContain('\r\nFrom: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.test>, b@x.test\r\nSender: ');
  });
  it('refuses message/rfc822 in base64 (RFC 2046 §5.2.1)', async () => {
    await expect(buildToBytes({ from, attachments: [{ content: 'a', contentType: 'message/rfc822', transferEncoding: 'base64' }] }, options()))
      .rejects.toThrow(MimeError);
  });
  it('RFC 6532 utf8: raw UTF-8 names and subject', async () => {
    const out = text(await buildToBytes({ from, subject: 'Grüße', text: 'x' }, { ...options(), utf8: true }));
    expect(out).toContain('\r\nFrom: Jörg Müller <joerg@example.test>\r\n');
    expect(out).toContain('\r\nSubject: Grüße\r\n');
    const long = text(await buildToBytes({ from, subject: '日本'.repeat(200), text: 'x' }, { ...options(), utf8: true }));
    expect(long).toMatch(/\r\nSubject: =\?UTF-8\?B\?/);
  });
  it('chooses the transfer encoding by content', async () => {
    const cte = async (content: string | Uint8Array, contentType: string): Promise<string | undefined> => {
      const out = text(await buildToBytes({ from, attachments: [{ content, contentType }] }, options()));
      return /Content-Type: (?!multipart)[^\r]*\r\nContent-Transfer-Encoding: ([^\r]+)/.exec(out)?.[1];
    };
    expect(await cte('plain ascii\nlines', 'text/plain')).toBe('7bit');
    const labelled = text(await buildToBytes({ from, attachments: [{ content: 'é', contentType: 'text/plain; charset=iso-8859-1' }] }, options()));
    expect(labelled).toContain('Content-Type: text/plain; charset=utf-8\r\n');
    expect(await cte('flowed \ntext', 'text/plain')).toBe('quoted-printable');
    expect(await cte('trailing\t', 'text/plain')).toBe('quoted-printable');
    expect(await cte('mostly ascii with one é', 'text/plain')).toBe('quoted-printable');
    expect(await cte('x'.repeat(1200), 'text/plain')).toBe('quoted-printable');
    expect(await cte('日本語のテキスト', 'text/plain')).toBe('base64');
    expect(await cte(new Uint8Array([104, 105, 0]), 'application/octet-stream')).toBe('base64');
    expect(await cte('plain\r\n', 'application/json')).toBe('7bit');
    expect(await cte('bare LF\n', 'application/json')).toBe('base64');
    expect(await cte('From: a@x.test\r\n\r\nü\r\n', 'message/rfc822')).toBe('8bit');
    expect(await cte('From: a@x.test\r\n\r\n\u0000\r\n', 'message/rfc822')).toBe('binary');
    expect(await cte(`From: a@x.test\r\n\r\n${'y'.repeat(1000)}\r\n`, 'message/rfc822')).toBe('binary');
    expect(await cte('From: a@x.test\r\n\r\ntrailing \r\n', 'message/rfc822')).toBe('7bit');
    const utf16 = Buffer.from('\ufeffline\nline', 'utf16le');
    expect(await cte(utf16, 'text/plain; charset=utf-16')).toBe('base64');
    const out = text(await buildToBytes({ from, attachments: [{ content: utf16, contentType: 'text/plain; charset=utf-16' }] }, options()));
    const body = /base64\r\nContent-Disposition: attachment\r\n\r\n([^-]+)\r\n--/.exec(out)?.[1] ?? '';
    expect(Buffer.from(body, 'base64')).toEqual(utf16);
  });
});
