import { describe, expect, it } from 'vitest';
import {
  build,
  buildToBytes,
  createTransferEncoder,
  decodeEncodedWords,
  encodeEncodedWords,
  encodeStream,
  foldHeader,
  formatAddress,
  formatAddressList,
  formatDate,
  formatParams,
  generateMessageId,
  parse,
  parseAddressList,
  parseContentDisposition,
  parseContentType,
  parseDate,
  parseMessageIds,
  type BuildOptions,
  type MessageDescription,
} from '@mailstack/mime';
import { counterRandom } from './helpers.js';

// STYLE.md §10: every export is reachable by the package name.
describe('the header and builder exports of @mailstack/mime', () => {
  it('header functions', () => {
    expect(parseContentType('text/html; charset=utf-8').mediaType).toBe('text/html');
    expect(parseContentDisposition('inline')?.type).toBe('inline');
    expect(decodeEncodedWords(encodeEncodedWords('é'))).toBe('é');
    expect(formatAddressList(parseAddressList('a@x.test, B <b@x.test>'))).toBe('a@x.test, B <b@x.test>');
    expect(formatAddress({ name: 'A B', address: 'a@x.test' })).toBe('A B <a@x.test>');
    expect(formatDate(parseDate('1 Jan 2026 00:00 +0100') ?? new Date(Number.NaN))).toBe('Wed, 31 Dec 2025 23:00:00 +0000');
    expect(parseMessageIds('<a@b>')).toEqual(['a@b']);
    expect(foldHeader('X-A', 'b')).toBe('X-A: b\r\n');
    expect(formatParams('attachment', { filename: 'a b' })).toBe('attachment; filename="a b"');
    expect(generateMessageId(new Date(0), counterRandom(), 'x.test')).toMatch(/^0\.[0-9a-f]{32}@x\.test$/);
  });
  it('encoders', async () => {
    const chunks: Uint8Array[] = [];
    for await (const c of encodeStream([Buffer.from('a=b ')], createTransferEncoder('quoted-printable'))) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('a=3Db=20');
  });
  it('builder, read back by the parser', async () => {
    const desc: MessageDescription = { from: { name: '', address: 'a@x.test' }, subject: 'Grüße', text: 'hi\n' };
    const options: BuildOptions = { now: new Date(0), random: counterRandom(), messageIdDomain: 'x.test' };
    const bytes = await buildToBytes(desc, options);
    let streamed = 0;
    for await (const chunk of build(desc, { ...options, random: counterRandom() })) streamed += chunk.length;
    expect(streamed).toBe(bytes.length);
    const mail = parse(bytes);
    expect([mail.subject, mail.text]).toEqual(['Grüße', 'hi\r\n']);
  });
});
