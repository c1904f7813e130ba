import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/headers/addresses.js';
import { parseDate } from '../../src/headers/dates.js';
import { decodeEncodedWords } from '../../src/headers/encoded-words.js';
import { foldHeader } from '../../src/headers/fold.js';
import { parseMessageIds } from '../../src/headers/message-ids.js';
import { parseContentDisposition, parseContentType } from '../../src/headers/params.js';

// Header values come from the network: a 128 KiB field must not take quadratic time in any parser.
const SIZE = 128 * 1024;
const inputs: Record<string, string> = {
  spaces: `text${' '.repeat(SIZE)}x`,
  'spaces then colon': `1 Jan 2024 10${' '.repeat(SIZE)}x`,
  'spaces then slash': `text${' '.repeat(SIZE)}/plain`,
  'param spaces': `a/b; x=y${' z'.repeat(SIZE / 2)}`,
  'open angles': '<'.repeat(SIZE),
  'open comments': '('.repeat(SIZE),
  quotes: '"a'.repeat(SIZE / 2),
  'encoded-word starts': '=?'.repeat(SIZE / 2),
  'many addresses': 'a@b.c, '.repeat(SIZE / 7),
  'dots and ats': '.@'.repeat(SIZE / 2),
  'stars': `a/b; ${'n*1'.repeat(SIZE / 3)}=v`,
};
const parsers: Record<string, (v: string) => unknown> = {
  parseContentType,
  parseContentDisposition,
  parseAddressList,
  parseDate,
  parseMessageIds,
  decodeEncodedWords,
  foldHeader: (v) => foldHeader('X-Test', v),
};

describe('pathological header values are parsed in linear time', () => {
  for (const [parserName, parse] of Object.entries(parsers)) {
    it(parserName, () => {
      for (const [inputName, value] of Object.entries(inputs)) {
        const start = performance.now();
        parse(value);
        const ms = performance.now() - start;
        expect(ms, `${parserName} on ${inputName}`).toBeLessThan(1500);
      }
    });
  }
});
