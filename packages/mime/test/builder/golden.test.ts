import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildToBytes } from '../../src/builder/build.js';
import type { MessageDescription } from '../../src/builder/types.js';
import { options } from './helpers.js';

// Golden files: the exact bytes the builder writes for fixed descriptions (deterministic random
// source), stored with LF line ends and compared after LF → CRLF. Regenerate after an intended
// change with `UPDATE_GOLDEN=1 npx vitest run --project mime test/builder/golden.test.ts` and
// review the diff.
const CASES: Record<string, MessageDescription> = {
  'text-only': {
    from: { name: 'John Doe', address: 'jdoe@machine.example' },
    to: [{ name: 'Mary Smith', address: 'mary@example.net' }],
    subject: 'Saying Hello',
    text: 'This is a message just to say hello.\nSo, "Hello".\n',
  },
  'mixed-related': {
    from: { name: 'Jörg Müller', address: 'joerg@example.test' },
    to: [{ name: 'Doe, John', address: 'john@x.test' }, { group: 'undisclosed-recipients', members: [] }],
    subject: 'Grüße — Quartalsbericht mit einer Betreffzeile, die gefaltet werden muss',
    inReplyTo: ['1234@local.machine.example'],
    text: 'Hallo,\n\nanbei der Bericht. Zeile mit Leerzeichen am Ende \n',
    html: '<p>Hallo, <img src="cid:logo@example.test"></p>\n',
    attachments: [
      { filename: 'logo.gif', contentType: 'image/gif', content: new Uint8Array([71, 73, 70, 56, 57, 97]), contentId: 'logo@example.test' },
      { filename: 'Übersicht €.pdf', contentType: 'application/pdf', content: new Uint8Array(100).map((_, i) => i * 5) },
    ],
    forward: 'From: a@x.test\nSubject: fwd\n\nbody\n',
  },
};

describe('golden files', () => {
  for (const [name, desc] of Object.entries(CASES)) {
    it(name, async () => {
      const built = Buffer.from(await buildToBytes(desc, options())).toString('utf8');
      const path = new URL(`./golden/${name}.eml`, import.meta.url);
      if (process.env['UPDATE_GOLDEN']) writeFileSync(path, built.replace(/\r\n/g, '\n'));
      expect(built).toBe(readFileSync(path, 'utf8').replace(/\n/g, '\r\n'));
    });
  }
});
