/**
 * The maildrop of one POP3 session over a mailstore Maildir (RFC 1939 §8 locking, §6 UPDATE).
 *
 * How this works: at login the folder's 'pop3' lock is taken (a second session gets -ERR
 * [IN-USE]), then INBOX (new/ and cur/) is listed once; that listing is the session's maildrop, so
 * mail arriving meanwhile appears at the next login. Like Dovecot, messages found in new/ move to
 * cur/ at login (they are no longer \Recent), and messages retrieved with RETR get \Seen when
 * the session ends with QUIT (Dovecot's pop3 default, pop3_no_flag_updates=no). DELE marks are
 * applied only at QUIT (UPDATE); a session that ends any other way deletes nothing. The lock is
 * released whatever way the session ends.
 *
 * RETR reads the file in chunks of at most 64 KiB (one read for most messages), turning bare LF
 * into CRLF on the way; the snapshot already knows each file's name and size, so no directory
 * lookup happens per message. The reads are synchronous, as in Dovecot's pop3 process: a
 * page-cache hit costs microseconds, far less than a thread-pool round trip per open/read/close
 * (which on a loaded machine added milliseconds of latency per RETR); the driver waits for
 * `drain` between chunks, so a large message never holds the loop for more than one chunk.
 */
import { closeSync, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CrlfExpander, MaildirFolder, StoreError, type LockHandle, type MaildirMessage } from '@mailstack/mailstore';
import type { Maildrop } from '@mailstack/pop3-core';
import { readSlab } from './slab.js';

const LOCK_KIND = 'pop3';
const MAX_READ_BYTES = 65_536;

/** A listing and the directory state it was taken from. */
interface CachedListing {
  readonly stamp: string;
  readonly messages: MaildirMessage[];
}

/**
 * MaildirFolder objects and their last listing, by path, kept across sessions. A listing is reused
 * while new/ and cur/ keep the modification times it was taken at, as Dovecot trusts its index:
 * every delivery, rename and unlink in a Maildir changes one of them. Times less than a second
 * before the listing are not trusted (file-system timestamps are coarse: a change in the same
 * tick would not show), so such a listing is taken again next time.
 */
export class MaildirCache {
  static readonly TRUST_AFTER_MS = 1000;
  readonly #folders = new Map<string, Promise<MaildirFolder>>();
  readonly #listings = new Map<string, CachedListing>();

  /** The folder at `path`, opened (and created) once per server. */
  folder(path: string): Promise<MaildirFolder> {
    let folder = this.#folders.get(path);
    if (folder === undefined) {
      folder = MaildirFolder.open(path);
      folder.catch(() => this.#folders.delete(path));
      this.#folders.set(path, folder);
    }
    return folder;
  }

  /** The folder's messages in UID order: the cached listing if the folder has not changed, else a new snapshot. */
  async messages(folder: MaildirFolder): Promise<MaildirMessage[]> {
    const started = Date.now();
    const [fresh, seen] = await Promise.all([stat(`${folder.path}/new`, { bigint: true }), stat(`${folder.path}/cur`, { bigint: true })]);
    const stamp = `${fresh.mtimeNs}:${seen.mtimeNs}`;
    const cached = this.#listings.get(folder.path);
    if (cached?.stamp === stamp) return cached.messages;
    const { messages } = await folder.snapshot();
    const newestMs = Number((fresh.mtimeNs > seen.mtimeNs ? fresh.mtimeNs : seen.mtimeNs) / 1_000_000n);
    if (newestMs <= started - MaildirCache.TRUST_AFTER_MS) this.#listings.set(folder.path, { stamp, messages });
    else this.#listings.delete(folder.path);
    return messages;
  }
}

/** What UPDATE did, for the session log. */
export interface UpdateResult {
  readonly count: number;
  readonly bytes: number;
}

/** The locked, listed INBOX of a logged-in session. */
export class SessionMaildrop {
  readonly #folder: MaildirFolder;
  readonly #lock: LockHandle;
  readonly #messages: MaildirMessage[];
  readonly #retrieved: Uint8Array; // [msg - 1] is 1 once RETR has sent message msg: \Seen at QUIT
  #released = false;

  private constructor(folder: MaildirFolder, lock: LockHandle, messages: MaildirMessage[]) {
    this.#folder = folder;
    this.#lock = lock;
    this.#messages = messages;
    this.#retrieved = new Uint8Array(messages.length);
  }

  /**
   * Lock and list the Maildir at `path`. Throws StoreError 'locked' when another session holds
   * it (answer -ERR [IN-USE]); any other StoreError means the store is unusable (-ERR [SYS/TEMP]).
   */
  static async open(cache: MaildirCache, path: string): Promise<SessionMaildrop> {
    const folder = await cache.folder(path);
    const lock = await folder.acquireLock(LOCK_KIND);
    try {
      let messages = await cache.messages(folder);
      const fresh = messages.filter((m) => m.isNew);
      if (fresh.length > 0) {
        await inBatches(fresh, (m) => folder.setFlags(m.uid, m.flags));
        messages = await cache.messages(folder);
      }
      return new SessionMaildrop(folder, lock, messages);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** The listing for pop3-core: message n is the n-th in UID order, CRLF sizes, shared UIDLs. */
  get listing(): Maildrop {
    return { messages: this.#messages.map((m) => ({ sizeBytes: m.crlfSizeBytes, uidl: m.uidl })) };
  }

  /**
   * The CRLF bytes of message `msg` (1-based), streamed: synchronous reads of the listed file, or
   * the folder's own (async) reader when the file was renamed since the listing. `retrieved`
   * marks the message for \\Seen at QUIT.
   */
  read(msg: number, retrieved: boolean): Iterator<Uint8Array> | AsyncIterator<Uint8Array> {
    const m = this.#message(msg);
    if (retrieved) this.#retrieved[msg - 1] = 1;
    let fd: number;
    try {
      fd = openSync(`${this.#folder.path}/${m.fileName}`, 'r'); // no path.join: mailstore names hold no '..' or '/'
    } catch {
      // Renamed by another agent (flags changed) since the listing: let the folder find it again.
      return this.#folder.readMessageCrlf(m.uid);
    }
    return readCrlf(fd, m.sizeBytes);
  }

  #message(msg: number): MaildirMessage {
    const m = this.#messages[msg - 1];
    if (m === undefined) throw new RangeError(`no message ${msg} in the maildrop`);
    return m;
  }

  /** RFC 1939 §6 UPDATE: remove the messages marked as deleted, flag the retrieved ones \Seen. */
  async update(deleted: readonly number[]): Promise<UpdateResult> {
    const gone = new Set(deleted);
    const uids = deleted.map((msg) => this.#message(msg).uid);
    const bytes = deleted.reduce((sum, msg) => sum + this.#message(msg).crlfSizeBytes, 0);
    // Nothing marked, nothing to expunge: no directory syncs and no rescan of the folder (the
    // common QUIT of a client that leaves its mail on the server).
    if (uids.length > 0) await this.#folder.expunge(uids);
    const unseen = this.#messages.filter((m, i) => this.#retrieved[i] === 1 && !gone.has(i + 1) && !m.flags.includes('S'));
    await inBatches(unseen, async (m) => {
      try {
        await this.#folder.setFlags(m.uid, `${m.flags}S`);
      } catch (error) {
        // Deleted by another agent since the listing: nothing to flag.
        if (!(error instanceof StoreError && error.code === 'not-found')) throw error;
      }
    });
    return { count: uids.length, bytes };
  }

  /** Release the maildrop lock (idempotent). */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#lock.release();
  }
}

/** Chunks of at most 64 KiB of an open file with bare LF turned into CRLF; closes the file. */
function* readCrlf(fd: number, sizeBytes: number): Generator<Uint8Array> {
  try {
    const expander = new CrlfExpander();
    const size = Math.min(MAX_READ_BYTES, sizeBytes + 1); // +1: EOF in the same read when the size is right
    let total = 0;
    for (;;) {
      const bytes = readSlab.read(fd, size);
      const bytesRead = bytes.length;
      if (bytesRead === 0) return;
      total += bytesRead;
      yield expander.push(bytes);
      // A short read of a regular file is its end; skip the read that would return 0 when the
      // listed size agrees (a file that grew since the listing is still read to its end).
      if (bytesRead < size && total >= sizeBytes) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** Renames in flight at once: enough to keep the thread pool busy, not to flood it. */
const RENAME_BATCH = 16;

async function inBatches<T>(items: readonly T[], action: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += RENAME_BATCH) await Promise.all(items.slice(i, i + RENAME_BATCH).map(action));
}
