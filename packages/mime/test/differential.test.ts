// Differential test: the third-party corpus (scripts/assemble-corpus.sh, test/corpus/SOURCES.md)
// parsed by our parse() and by npm mailparser. Compared per message: subject, addresses (From,
// To, Cc), date, body text, and the sha256 of each attachment. Every difference must be listed in
// test/corpus/expected-differences.ts with its reason; the test fails on a new difference and on
// a listed one that no longer occurs (so the table stays true).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type Address } from '@mailstack/mime';
import { simpleParser, type AddressObject } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, corpusFiles } from './corpus/corpus.js';
import { EXPECTED_DIFFERENCES } from './corpus/expected-differences.js';

export type Field = 'subject' | 'from' | 'to' | 'cc' | 'date' | 'text' | 'attachments';
interface Summary { subject: string; from: string; to: string; cc: string; date: string; text: string; attachments: string }

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);
const norm = (s: string | undefined): string => (s ?? '').replace(/\r\n?/g, '\n').replace(/[ \t]+\n/g, '\n').trim();

function ours(raw: Buffer): Summary {
  const m = parse(raw);
  const addrs = (list: Address[]): string =>
    list.flatMap((a) => ('group' in a ? a.members : [a])).map((a) => a.address.toLowerCase()).join(',');
  return {
    subject: norm(m.subject), from: addrs(m.from), to: addrs(m.to), cc: addrs(m.cc),
    date: m.date?.toISOString() ?? '', text: norm(m.text),
    attachments: m.attachments.map((a) => sha(a.content)).sort().join(','),
  };
}

async function theirs(raw: Buffer): Promise<Summary> {
  const m = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const addrs = (o: AddressObject | AddressObject[] | undefined): string =>
    (Array.isArray(o) ? o : o ? [o] : [])
      .flatMap((x) => x.value)
      .flatMap((a) => (a.group ? a.group : [a]))
      .map((a) => (a.address ?? '').toLowerCase())
      .filter((a) => a !== '')
      .join(',');
  return {
    subject: norm(m.subject), from: addrs(m.from), to: addrs(m.to), cc: addrs(m.cc),
    date: m.date && !Number.isNaN(m.date.getTime()) ? m.date.toISOString() : '', text: norm(m.text),
    attachments: m.attachments.map((a) => sha(a.content)).sort().join(','),
  };
}

describe('differential: ours vs mailparser on the corpus', () => {
  let files: string[] = [];
  beforeAll(() => {
    files = corpusFiles();
  }, 120_000);

  it('has the whole corpus (129 messages)', () => {
    expect(files.length).toBe(129);
  });

  it('differs from mailparser only where the table says why', async () => {
    const found: string[] = [];
    for (const file of files) {
      const raw = readFileSync(join(CORPUS, file));
      const [a, b] = [ours(raw), await theirs(raw)];
      for (const field of Object.keys(a) as Field[]) if (a[field] !== b[field]) found.push(`${file} ${field}`);
    }
    const expected = EXPECTED_DIFFERENCES.map((d) => `${d.file} ${d.field}`).sort();
    expect(found.sort()).toEqual(expected);
  });
});
