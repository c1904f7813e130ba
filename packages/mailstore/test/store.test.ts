import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAILDIRFOLDER_MARKER, MaildirStore, folderDirName } from '@mailstack/mailstore';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailstore-store-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('MaildirStore (Maildir++)', () => {
  it('keeps INBOX at the root and folders as .Name with a maildirfolder marker', async () => {
    const store = new MaildirStore(join(root, 'Maildir'));
    expect(await store.listFolders()).toEqual([]);
    const inbox = await store.inbox();
    const sent = await store.folder('Sent');
    const archive = await store.folder('Archive.2026');
    expect(inbox.path).toBe(join(root, 'Maildir'));
    expect(archive.path).toBe(join(root, 'Maildir', '.Archive.2026'));
    expect((await stat(join(sent.path, MAILDIRFOLDER_MARKER))).size).toBe(0);
    expect(await readdir(archive.path)).toEqual(expect.arrayContaining(['cur', 'new', 'tmp', 'maildirfolder']));
    await store.folder('Sent'); // opening again is fine
    expect(await store.listFolders()).toEqual(['Archive.2026', 'Sent']);
  });

  it('refuses names that could leave the root or break the hierarchy', () => {
    for (const bad of ['', '..', '.Sent', 'a..b', 'Sent.', 'a/b', 'x\ny']) {
      expect(() => folderDirName(bad), bad).toThrow(expect.objectContaining({ code: 'invalid-name' }));
    }
    expect(folderDirName('Archive.2026')).toBe('.Archive.2026');
  });
});
