// Golden files (STYLE.md §8): each golden/*.eml beside its expected *.json, checked as stored and
// with LF→CRLF. Regenerate with packages/mime/scripts/update-golden.sh and review the diff.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCharset, parse, type MimeNode } from '@mailstack/mime';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface GoldenNode {
  path: string;
  kind: string;
  type: string;
  encoding: string;
  filename?: string;
  offsets: { headerStart: number; bodyStart: number; bodyEnd: number };
  lines: number;
  content?: string;
  children?: GoldenNode[];
}

const describeNode = (n: MimeNode): GoldenNode => ({
  path: n.path, kind: n.kind, type: n.contentType.mediaType, encoding: n.transferEncoding,
  ...(n.filename !== undefined ? { filename: n.filename } : {}),
  offsets: n.offsets, lines: n.lines,
  ...(n.children.length > 0
    ? { children: n.children.map(describeNode) }
    : { content: n.contentType.type === 'text' ? decodeCharset(n.content, n.contentType.params['charset']) : `sha256:${createHash('sha256').update(n.content).digest('hex').slice(0, 16)}` }),
});

const golden = (raw: Buffer) => {
  const m = parse(raw);
  return {
    subject: m.subject, from: m.from, date: m.date?.toISOString(), text: m.text, html: m.html,
    attachments: m.attachments.map((a) => ({ path: a.path, contentType: a.contentType, filename: a.filename, size: a.size })),
    defects: m.defects.map((d) => `${d.code} ${d.path}`),
    tree: describeNode(m.root),
  };
};

// With CRLF line ends the offsets and line-end bytes differ; the structure must not.
const withoutOffsets = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'offsets' ? undefined : typeof v === 'string' ? v.replace(/\r\n/g, '\n') : v)));

describe('golden messages', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort()) {
    const raw = readFileSync(join(DIR, file));
    const jsonPath = join(DIR, file.replace(/\.eml$/, '.json'));
    it(`${file} as stored`, () => {
      const actual = golden(raw);
      if (UPDATE) writeFileSync(jsonPath, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(readFileSync(jsonPath, 'utf8')));
    });
    it(`${file} with CRLF line ends`, () => {
      const crlf = Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      expect(withoutOffsets(golden(crlf))).toEqual(withoutOffsets(JSON.parse(readFileSync(jsonPath, 'utf8'))));
    });
  }
});
