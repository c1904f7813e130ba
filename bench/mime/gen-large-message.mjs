// Writes a deterministic synthetic MIME message for the parser benchmark, streamed to the file
// (the same shape as /work/shared/peers/bench-mime/gen-large-message.py):
//   multipart/mixed
//     multipart/alternative: text/plain + text/html, quoted-printable UTF-8
//     N base64 attachments of seeded pseudo-random bytes, 76-character lines, CRLF
// usage: node gen-large-message.mjs OUT_FILE [--mb 20] [--attachments 5] [--seed 1]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const out = args[0];
if (!out) {
  console.error('usage: node gen-large-message.mjs OUT_FILE [--mb 20] [--attachments 5] [--seed 1]');
  process.exit(2);
}
const targetBytes = opt('--mb', 20) * 1e6;
const attachments = opt('--attachments', 5);
let seed = opt('--seed', 1) >>> 0 || 1;
const rand = () => {
  // xorshift32: deterministic, fast, good enough for incompressible filler
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed;
};

const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore grüße naïve café 東京 ünïcödé'.split(' ');
const para = (n) => Array.from({ length: n }, () => words[rand() % words.length]).join(' ');
const qp = (s) => {
  const enc = Buffer.from(s, 'utf8').toString('latin1').replace(/[^\x20-\x3c\x3e-\x7e\n]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return enc.split('\n').map((line) => line.replace(/.{72}(?=.)/g, (m) => (/=.?$/.test(m.slice(-2)) ? m : `${m}=\r\n`))).join('\r\n');
};
const text = Array.from({ length: 60 }, () => para(120)).join('\n\n');
const html = `<html><body>${Array.from({ length: 60 }, () => `<p>${para(120)}</p>\n`).join('')}</body></html>`;
const outer = '=_outer_boundary_7f3a';
const alt = '=_alt_boundary_91c2';
const head = [
  'Return-Path: <sender@bench.test>',
  'From: =?UTF-8?Q?B=C3=A9nch_Sender?= <sender@bench.test>',
  'To: Bench <bench@bench.test>',
  `Subject: =?UTF-8?B?${Buffer.from('Synthetic large message – ünïcödé').toString('base64')}?=`,
  'Date: Thu, 01 Jan 2026 00:00:00 +0000',
  'Message-ID: <synthetic-large-1@bench.test>',
  'MIME-Version: 1.0',
  `Content-Type: multipart/mixed; boundary="${outer}"`,
  '', 'This is a multi-part message in MIME format.', '',
  `--${outer}`, `Content-Type: multipart/alternative; boundary="${alt}"`, '',
  `--${alt}`, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable', '', qp(text),
  `--${alt}`, 'Content-Type: text/html; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable', '', qp(html),
  `--${alt}--`, '',
].join('\r\n');

const file = createWriteStream(out);
const write = async (s) => {
  if (!file.write(s)) await once(file, 'drain');
};
await write(head);
const perAttachment = Math.max(1000, Math.floor((targetBytes - head.length) / attachments));
const types = [['application/pdf', 'report.pdf'], ['image/jpeg', 'photo.jpg'], ['application/zip', 'archive.zip'], ['application/octet-stream', 'data.bin'], ['image/png', 'image.png']];
for (let i = 0; i < attachments; i++) {
  const [type, base] = types[i % types.length];
  const name = `${i + 1}-${base}`;
  await write([`--${outer}`, `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '', ''].join('\r\n'));
  // 57 raw bytes = one 76-character base64 line; write in blocks of 1,000 lines
  const lines = Math.floor(perAttachment / 78);
  for (let done = 0; done < lines; done += 1000) {
    const n = Math.min(1000, lines - done);
    const raw = Buffer.alloc(n * 57);
    for (let j = 0; j < raw.length; j += 4) raw.writeUInt32LE(rand(), Math.min(j, raw.length - 4));
    const b64 = raw.toString('base64');
    let block = '';
    for (let j = 0; j < b64.length; j += 76) block += `${b64.slice(j, j + 76)}\r\n`;
    await write(block);
  }
}
await write(`--${outer}--\r\n`);
file.end();
await once(file, 'finish');
