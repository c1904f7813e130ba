// The BUILT package (dist/, tsup ESM + CJS) loads with both `import` and `require` and parses.
// CI builds before testing; when dist/ is missing this test builds it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('../../', import.meta.url));
const MSG = 'Subject: =?utf-8?q?built?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello\r\n--b--\r\n';

interface BuiltApi {
  parse(input: string): { subject?: string; text?: string; root: { children: unknown[] } };
  MimeStreamParser: new () => { receive(b: Uint8Array): void; receiveEof(): void; nextEvent(): { type: string } };
}

describe('built @mailstack/mime', () => {
  beforeAll(() => {
    if (!existsSync(`${PKG}dist/index.js`) || !existsSync(`${PKG}dist/index.cjs`)) {
      execFileSync('pnpm', ['--filter', '@mailstack/mime', 'build'], { cwd: PKG, stdio: 'pipe' });
    }
  }, 120_000);

  const check = (api: BuiltApi): void => {
    const m = api.parse(MSG);
    expect(m.subject).toBe('built');
    expect(m.text).toBe('hello');
    expect(m.root.children).toHaveLength(1);
    const p = new api.MimeStreamParser();
    p.receive(Buffer.from(MSG));
    p.receiveEof();
    expect(p.nextEvent().type).toBe('header');
  };

  it('works through import (ESM dist/index.js)', async () => {
    check((await import(pathToFileURL(`${PKG}dist/index.js`).href)) as BuiltApi);
  });

  it('works through require (CJS dist/index.cjs)', () => {
    check(createRequire(import.meta.url)(`${PKG}dist/index.cjs`) as BuiltApi);
  });

  it('resolves by package name in plain Node (no "source" condition): import and require', () => {
    const script = `const m = require('@mailstack/mime'); import('@mailstack/mime').then((e) => console.log(m.parse(${JSON.stringify(MSG)}).text, e.parse(${JSON.stringify(MSG)}).subject, require.resolve('@mailstack/mime').endsWith('dist/index.cjs')))`;
    expect(execFileSync('node', ['-e', script], { cwd: PKG, encoding: 'utf8' }).trim()).toBe('hello built true');
  });
});
