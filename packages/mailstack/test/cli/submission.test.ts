// sendmail's input handling (src/cli/submission.ts, message-lines.ts) on its own: line-end
// normalisation, lone-dot end, header block, Bcc stripping, -t recipients — and that none of it
// depends on how standard input was split into chunks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, headerRecipients, readSubmission } from '../../src/cli/submission.js';

async function* chunks(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function submit(input: string, cuts: readonly number[], dotEnds: boolean, stripBcc: boolean): Promise<{ message: string; recipients: string[] }> {
  const submission = await readSubmission(chunks(Buffer.from(input, 'latin1'), cuts), { dotEnds, stripBcc });
  const parts: Buffer[] = [];
  for await (const part of submission.message) parts.push(Buffer.from(part));
  return { message: Buffer.concat(parts).toString('latin1'), recipients: headerRecipients(submission.fields) };
}

// The whole-buffer definition: lines split at LF, one CR before it dropped, CRLF after each,
// stopping at a lone "." line when dotEnds; a last line without LF still ends in CRLF.
function reference(input: string, dotEnds: boolean): string {
  const lines = input.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let out = '';
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (dotEnds && line === '.') break;
    out += `${line}\r\n`;
  }
  return out;
}

const mailish = fc
  .array(fc.constantFrom('a', 'B', 'c', 'To', 'Bcc', ':', ' ', '\t', '.', '\r', '\n', '\r\n', 'x@y', ','), { maxLength: 120 })
  .map((parts) => parts.join(''));

describe('readSubmission', () => {
  it('equals the whole-buffer definition, however the input is split', async () => {
    await fc.assert(
      fc.asyncProperty(mailish, fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), async (input, cuts, dotEnds) => {
        expect((await submit(input, cuts, dotEnds, false)).message).toBe(reference(input, dotEnds));
      }),
      { numRuns: 200 },
    );
  });

  it('Bcc stripping and header recipients do not depend on the split either', async () => {
    await fc.assert(
      fc.asyncProperty(mailish, fc.array(fc.nat(), { maxLength: 8 }), async (input, cuts) => {
        expect(await submit(input, cuts, true, true)).toEqual(await submit(input, [], true, true));
      }),
      { numRuns: 200 },
    );
  });

  it('strips Bcc and Resent-Bcc with their continuation lines, only in the header', async () => {
    const input = 'To: a@x\nbcc : b@x,\n\tc@x\nResent-Bcc: d@x\nSubject: s\n\nBcc: body@x\n';
    expect(await submit(input, [], true, true)).toEqual({
      message: 'To: a@x\r\nSubject: s\r\n\r\nBcc: body@x\r\n',
      recipients: ['d@x'], // Resent- fields present: only Resent-To/Cc/Bcc count
    });
    expect((await submit(input, [], true, false)).message).toBe(reference(input, true));
  });

  it('the header ends at a line that is not a field; text past MAX_HEADER_BYTES is body', async () => {
    expect((await submit('To: a@x\nnot a field\nBcc: b@x\n\n', [], true, true)).message).toBe('To: a@x\r\nnot a field\r\nBcc: b@x\r\n\r\n');
    const filler = `X-Filler: ${'f'.repeat(MAX_HEADER_BYTES - 20)}\n`;
    const late = await submit(`To: a@x\n${filler}Cc: late@x\nBcc: b@x\n\nbody\n`, [], true, true);
    expect(late.recipients).toEqual(['a@x']);
    expect(late.message).toContain('\r\nCc: late@x\r\nBcc: b@x\r\n');
  });

  it('group syntax and display names in -t recipients', () => {
    const fields = [
      { name: 'To', value: 'Team: a@x, "B, b" <b@x>;, c@x', raw: new Uint8Array() },
      { name: 'CC', value: 'undisclosed-recipients:;', raw: new Uint8Array() },
      { name: 'From', value: 'f@x', raw: new Uint8Array() },
    ];
    expect(headerRecipients(fields)).toEqual(['a@x', 'b@x', 'c@x']);
  });
});
