// Interop: Python's mailbox.Maildir (stdlib) must list and read what we deliver, with flags, and
// we must read what it delivers. Needs python3 (apt-get install python3).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaildirFolder, MaildirStore } from '@mailstack/mailstore';

const run = promisify(execFile);
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailstore-py-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function python(script: string, ...args: string[]): Promise<string> {
  try {
    return (await run('python3', ['-c', script, ...args])).stdout;
  } catch (error) {
    throw new Error('python3 failed (install it with: apt-get install python3)', { cause: error });
  }
}

async function* body(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

const LIST = `
import json, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = {key: {'flags': box.get_message(key).get_flags(), 'subdir': box.get_message(key).get_subdir(),
             'bytes': box.get_bytes(key).decode('latin1'), 'subject': box.get_message(key)['Subject']}
       for key in box.keys()}
out['_folders'] = sorted(box.list_folders())
print(json.dumps(out))
`;

describe('Python mailbox.Maildir reads our Maildir', () => {
  it('lists our messages with their bytes, flags and Maildir++ folders', async () => {
    const store = new MaildirStore(join(root, 'Maildir'), { host: 'mx.test' });
    const inbox = await store.inbox();
    const a = await inbox.deliver(body('Subject: first\r\n\r\nline one\r\n'));
    const b = await inbox.deliver(body('Subject: second\r\n\r\nline two\r\n'));
    await store.folder('Sent');
    const { messages } = await inbox.snapshot();
    await inbox.setFlags(messages.find((m) => m.unique === b)!.uid, 'SR');
    const listed = JSON.parse(await python(LIST, inbox.path));
    expect(listed).toEqual({
      [a]: { flags: '', subdir: 'new', bytes: 'Subject: first\n\nline one\n', subject: 'first' },
      [b]: { flags: 'RS', subdir: 'cur', bytes: 'Subject: second\n\nline two\n', subject: 'second' },
      _folders: ['Sent'],
    });
  });

  it('and we read what Python delivers', async () => {
    const path = join(root, 'Maildir');
    const key = (await python(
      `import mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=True)
m = mailbox.MaildirMessage(b'Subject: from python\\n\\nhello\\n')
m.set_flags('FS'); m.set_subdir('cur')
print(box.add(m))`,
      path,
    )).trim();
    const folder = await MaildirFolder.open(path);
    const [message] = (await folder.snapshot()).messages;
    expect(message).toMatchObject({ unique: key, flags: 'FS', isNew: false, sizeBytes: 28, crlfSizeBytes: 31 });
    const parts: Buffer[] = [];
    for await (const chunk of folder.readMessageCrlf(message!.uid)) parts.push(Buffer.from(chunk));
    expect(Buffer.concat(parts).toString()).toBe('Subject: from python\r\n\r\nhello\r\n');
  });
});
