// RFC 5322 §2.2 header fields, §2.2.3 unfolding; RFC 6532 §3.2 UTF-8 header values.
import { parse, parseHeaderBlock } from '@mailstack/mime';
import { describe, expect, it } from 'vitest';
import { bytes, crlf, defects, eventsOf } from './helpers.js';

describe('RFC 5322 §2.2 header blocks', () => {
  it('unfolds by removing CRLF before WSP and keeps the raw bytes', () => {
    const [field] = parseHeaderBlock(bytes(crlf('Subject: This\n is a test\n\tof folding\n\n')));
    expect(field?.name).toBe('Subject');
    expect(field?.value).toBe('This is a test\tof folding');
    expect(Buffer.from(field!.raw).toString()).toBe(crlf('Subject: This\n is a test\n\tof folding\n'));
  });

  it('RFC 6532: UTF-8 values decode as UTF-8, other 8-bit bytes as Latin-1', () => {
    const fields = parseHeaderBlock(Buffer.concat([Buffer.from('Subject: Grüße\r\nX-Old: '), Buffer.from([0xe9]), Buffer.from('\r\n\r\n')]));
    expect(fields.map((f) => f.value)).toEqual(['Grüße', 'é']);
  });

  it('§4.5 obsolete syntax: whitespace before the colon', () => {
    expect(parseHeaderBlock(bytes('Subject  : old style\r\n'))[0]).toMatchObject({ name: 'Subject', value: 'old style' });
  });

  it('headers.get/getAll are case-insensitive; subject is RFC 2047-decoded', () => {
    const m = parse(crlf('Received: a\nreceived: b\nSUBJECT: =?utf-8?q?caf=C3=A9?=\n\nx'));
    expect(m.headers.getAll('Received')).toEqual(['a', 'b']);
    expect(m.headers.get('subject')).toBe('=?utf-8?q?caf=C3=A9?=');
    expect(m.subject).toBe('café');
  });

  it('a line that is not a field starts the body (defect), an mbox From_ line is skipped', () => {
    const ev = eventsOf([bytes(crlf('From sender Thu Nov 26 2026\nSubject: x\nnot a header\nmore\n'))]);
    expect(defects(ev)).toEqual(['missing-header-body-separator']);
    const m = parse(crlf('From sender Thu Nov 26 2026\nSubject: x\nnot a header\nmore\n'));
    expect(m.subject).toBe('x');
    expect(m.text).toBe(crlf('not a header\nmore\n'));
  });

  it('a continuation line before any field is a defect and is dropped', () => {
    const ev = eventsOf([bytes(crlf(' stray\nSubject: x\n\nbody'))]);
    expect(defects(ev)).toEqual(['first-line-continuation']);
  });

  it('lenient: a non-field line between two fields is a broken fold and joins the previous field', () => {
    const ev = eventsOf([bytes(crlf('Content-Type: application/zip;\nname="a.zip"\nContent-Disposition: attachment\n\nbody'))]);
    expect(defects(ev)).toEqual(['invalid-header-line']);
    const start = ev.find((e) => e.type === 'part-start');
    expect(start?.type === 'part-start' && start.contentType.params['name']).toBe('a.zip');
    expect(start?.type === 'part-start' && start.headers.map((h) => h.name)).toEqual(['Content-Type', 'Content-Disposition']);
  });

  it('lenient: a wrongly indented first field is kept (with a defect)', () => {
    const m = parse(crlf(' From: a@example.test\nSubject: s\n\nbody'));
    expect(m.from).toEqual([{ name: '', address: 'a@example.test' }]);
    expect(m.defects.map((d) => d.code)).toEqual(['first-line-continuation']);
  });
});
