/**
 * `/file` alias targets: append the message to an mbox file (mbox(5), mboxrd quoting: a line that
 * matches /^>*From / gets one more ">"), opened O_APPEND and fsync'd before it counts as delivered.
 * Line ends are stored as LF, as local(8) and procmail write mbox.
 */
import { open } from 'node:fs/promises';
import { LfNormalizer } from '@mailstack/mailstore';
import type { MessageBytes } from '@mailstack/mailstore';

const FROM_LINE = /^>*From /;

/** Append one message with its `From sender date` separator line and a trailing blank line. */
export async function appendMbox(path: string, sender: string, message: MessageBytes, now: Date = new Date()): Promise<void> {
  const handle = await open(path, 'a', 0o600);
  try {
    const separator = `From ${sender === '' ? 'MAILER-DAEMON' : sender} ${now.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/, '$1 $3 $2 $5 $4')}\n`;
    await handle.write(Buffer.from(separator, 'latin1'));
    let endsWithLf = true;
    for await (const text of mboxLines(message)) {
      await handle.write(Buffer.from(text, 'latin1')); // bytes as they came
      endsWithLf = text.endsWith('\n');
    }
    await handle.write(endsWithLf ? '\n' : '\n\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Whole lines (LF-terminated), quoted; the message is read in chunks, a line at a time is held.
async function* mboxLines(message: MessageBytes): AsyncGenerator<string> {
  const lf = new LfNormalizer();
  let partial = '';
  const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  for await (const chunk of message) {
    const lines = (partial + text(lf.push(chunk))).split('\n');
    partial = lines.pop() ?? '';
    if (lines.length > 0) yield lines.map((line) => (FROM_LINE.test(line) ? `>${line}` : line)).join('\n') + '\n';
  }
  partial += text(lf.end());
  if (partial !== '') yield FROM_LINE.test(partial) ? `>${partial}` : partial;
}
