// A user's Maildir++ mailbox (Courier's layout, also Dovecot's): the root Maildir is INBOX and
// every other folder is a Maildir named '.' + its name under the root, with '.' as the hierarchy
// separator ('Archive.2026' is '<root>/.Archive.2026') and an empty 'maildirfolder' file in it.

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError, errnoCode } from './errors.js';
import { MaildirFolder, type MaildirFolderOptions } from './folder.js';

/** The marker file Courier and Dovecot put in every Maildir++ subfolder. */
export const MAILDIRFOLDER_MARKER = 'maildirfolder';

/** A Maildir++ mailbox: INBOX at the root, folders beside it. */
export class MaildirStore {
  /** The mailbox root (the user's ~/Maildir). */
  readonly root: string;
  readonly #options: MaildirFolderOptions;

  constructor(root: string, options: MaildirFolderOptions = {}) {
    this.root = root;
    this.#options = options;
  }

  /** The INBOX (the root Maildir), created if missing. */
  inbox(): Promise<MaildirFolder> {
    return MaildirFolder.open(this.root, this.#options);
  }

  /** A folder by its Maildir++ name ('Sent', 'Archive.2026'), created with its marker if missing. */
  async folder(name: string): Promise<MaildirFolder> {
    const path = join(this.root, folderDirName(name));
    const folder = await MaildirFolder.open(path, this.#options);
    try {
      await writeFile(join(path, MAILDIRFOLDER_MARKER), '', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw new StoreError('io', `cannot mark ${path}`, { cause: error });
    }
    return folder;
  }

  /** The names of the existing folders (without INBOX), sorted. */
  async listFolders(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw new StoreError('io', `cannot list ${this.root}`, { cause: error });
    }
    return entries
      .filter((entry) => entry.isDirectory() && entry.name.startsWith('.') && isFolderName(entry.name.slice(1)))
      .map((entry) => entry.name.slice(1))
      .sort();
  }
}

/** The directory name of a Maildir++ folder: '.' + name; throws StoreError 'invalid-name' for unsafe names. */
export function folderDirName(name: string): string {
  if (!isFolderName(name)) throw new StoreError('invalid-name', `bad folder name ${JSON.stringify(name)}`);
  return `.${name}`;
}

// Each '.'-separated part is non-empty (so no '..' and no leading/trailing '.'), and no part holds
// '/' or a control character: the name can never leave the root. IMAP's modified UTF-7 (RFC 3501
// §5.1.3) is the IMAP layer's business; here a name is any other UTF-8.
function isFolderName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\u0000-\u001f\u007f]/.test(name) && name.split('.').every((part) => part.length > 0);
}
