// One Maildir folder (https://cr.yp.to/proto/maildir.html): tmp/, new/, cur/.
//
// Delivery: write tmp/<unique> (O_EXCL, mode 0600), fsync it, rename it to
// new/<unique>,S=<size>,W=<crlf size>, fsync new/ (one fsync shared by the deliveries of the same
// event-loop turn: group-commit.ts). A crash before the rename leaves only a tmp/
// file, which readers never look at and cleanupTmp() removes after 36 hours (maildir.html).
// Messages are stored with LF line ends (line-ends.ts) and read as CRLF for POP3/IMAP.
// Reading: snapshot() lists new/ then cur/ (in that order, so a message moved new/→cur/ meanwhile
// is seen at least once) and gives each base name a UID from mailstack-uidlist (uidlist.ts).
// Flags live in the file name (':2,FS'); changing them is one rename into cur/.

import { hostname } from 'node:os';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { StoreError, errnoCode } from './errors.js';
import { CREATE_DSYNC, closeFd, openFd, renamePath, syncFd, writeAllFd } from './fs-calls.js';
import { fsyncDirectory } from './fsync.js';
import { GroupDirectorySync } from './group-commit.js';
import { LfNormalizer, CrlfExpander, expandToCrlf } from './line-ends.js';
import { WriteGather } from './write-gather.js';
import { type LockHandle, type LockWaitOptions, tryLockFile } from './lockfile.js';
import { compareDeliveryOrder, formatInfo, maildirName, parseInfo, parseSizeFields, withSizeFields } from './name.js';
import { Uidlist, pop3Uidl } from './uidlist.js';

/** How a folder names its deliveries and what it uses for time and lock waits. */
export interface MaildirFolderOptions {
  /** Host part of new names (default: the OS host name). */
  host?: string;
  /** Pid part of new names (default: this process). */
  pid?: number;
  /** Milliseconds since the epoch (default Date.now): new names, UIDVALIDITY, tmp/ age. */
  clock?: () => number;
  /** How to wait for the UID list lock held by another process. */
  lockWait?: LockWaitOptions;
}

/** One message of a snapshot. */
export interface MaildirMessage {
  uid: number;
  /** The stable base name (before ':'). */
  unique: string;
  /** The POP3 UIDL, derived from UIDVALIDITY and UID (pop3Uidl). */
  uidl: string;
  /** Path relative to the folder, e.g. 'cur/<unique>:2,S'. */
  fileName: string;
  /** Flags in ASCII order (normally '' for a message still in new/). */
  flags: string;
  /** True while the message is in new/ (no client has seen it: IMAP \Recent). */
  isNew: boolean;
  /** Octets on disk. */
  sizeBytes: number;
  /** Octets with CRLF line ends (POP3 LIST, IMAP RFC822.SIZE). */
  crlfSizeBytes: number;
}

/** The folder's messages in UID order, with the UIDVALIDITY they belong to. */
export interface MaildirSnapshot {
  uidValidity: number;
  nextUid: number;
  messages: MaildirMessage[];
}

const SUBDIRS = ['tmp', 'new', 'cur'] as const;
// maildir.html: "files in tmp/ that were not accessed for 36 hours" may be removed.
const STALE_TMP_MS = 36 * 3600 * 1000;
// Rewrite the UID list when it holds this many more expunged lines than live ones.
const COMPACT_SLACK = 64;
const LOCK_KIND = /^[a-z0-9-]{1,32}$/;
const NOT_BYTES = 'deliver() needs a byte stream, not text';
let deliverySeq = 0; // per process, as the Q part of names must be

/** A message's bytes as writers take them: a stream, or its parts already in memory, in order. */
export type MessageBytes = AsyncIterable<Uint8Array> | readonly Uint8Array[];

interface Located {
  unique: string;
  fileName: string;
  flags: string;
}

/** A Maildir folder: deliver, list, read, flag, expunge, lock. */
export class MaildirFolder {
  /** The folder's directory. */
  readonly path: string;
  readonly #host: string;
  readonly #pid: number;
  readonly #clock: () => number;
  readonly #uidlist: Uidlist;
  readonly #newSync: GroupDirectorySync;
  /** `<path>/tmp/` and `<path>/new/`: a delivery's paths are these plus a name we made (no join). */
  readonly #tmpDir: string;
  readonly #newDir: string;
  #byUid = new Map<number, Located>();
  readonly #computedSizes = new Map<string, { sizeBytes: number; crlfSizeBytes: number }>();

  private constructor(path: string, options: MaildirFolderOptions) {
    this.path = path;
    this.#host = options.host ?? hostname();
    this.#pid = options.pid ?? process.pid;
    this.#clock = options.clock ?? Date.now;
    this.#uidlist = new Uidlist(path, this.#clock, options.lockWait);
    this.#newSync = new GroupDirectorySync(join(path, 'new'));
    this.#tmpDir = `${join(path, 'tmp')}${sep}`;
    this.#newDir = `${join(path, 'new')}${sep}`;
  }

  /** Open the folder at `path`, creating it and tmp/, new/, cur/ (mode 0700) if missing. */
  static async open(path: string, options: MaildirFolderOptions = {}): Promise<MaildirFolder> {
    try {
      await mkdir(path, { recursive: true, mode: 0o700 });
      for (const sub of SUBDIRS) await mkdir(join(path, sub), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new StoreError('io', `cannot create Maildir ${path}`, { cause: error });
    }
    return new MaildirFolder(path, options);
  }

  /**
   * Store one message (bytes as delivered, the whole message as one buffer, or its parts already
   * in memory in order; line ends become LF); resolves with its unique name once durable.
   */
  async deliver(body: MessageBytes | Readable | Uint8Array): Promise<string> {
    // A message in memory is converted into one buffer and written in one write(2), to a file
    // opened O_DSYNC where there is one: that write is its fsync (maildir.html asks for the data
    // on disk before the rename into new/; the directory fsync makes the name durable).
    const whole = body instanceof Uint8Array ? [body] : Array.isArray(body) ? bytesOnly(body) : undefined;
    const dsyncFlags = whole === undefined ? undefined : CREATE_DSYNC;
    const { unique, fd } = await this.#createTmp(dsyncFlags ?? 'wx');
    const tmpPath = this.#tmpDir + unique;
    const normalizer = new LfNormalizer();
    try {
      try {
        if (whole !== undefined) await writeAllFd(fd, normalizer.convertAll(whole));
        else {
          // Chunks are gathered into writes of up to 64 KiB: a typical message is one write(2).
          const out = new WriteGather(fd);
          for await (const chunk of body as AsyncIterable<unknown>) {
            if (!(chunk instanceof Uint8Array)) throw new TypeError(NOT_BYTES);
            const written = out.add(normalizer.push(chunk));
            if (written !== undefined) await written;
          }
          await out.add(normalizer.end());
          await out.flush();
        }
        if (dsyncFlags === undefined) await syncFd(fd);
      } finally {
        closeFd(fd);
      }
      const finalName = withSizeFields(unique, normalizer.sizeBytes, normalizer.crlfSizeBytes);
      await renamePath(tmpPath, this.#newDir + finalName);
      await this.#newSync.sync();
      return finalName;
    } catch (error) {
      await unlink(tmpPath).catch(() => undefined);
      if (error instanceof TypeError) throw error;
      throw new StoreError('io', `delivery to ${this.path} failed`, { cause: error });
    }
  }

  /** List new/ and cur/ with UIDs (new names get UIDs under the lock) and sizes. */
  async snapshot(): Promise<MaildirSnapshot> {
    const found = await this.#scan();
    let state = await this.#uidlist.read().catch((error: unknown) => {
      if (error instanceof StoreError && error.code === 'corrupt') return null; // assign() starts anew
      throw error;
    });
    const missing = [...found.keys()].filter((unique) => !state?.uids.has(unique));
    if (!state || missing.length > 0) state = await this.#uidlist.assign(missing.sort(compareDeliveryOrder));
    const messages: MaildirMessage[] = [];
    const byUid = new Map<number, Located>();
    for (const [unique, located] of found) {
      const uid = state.uids.get(unique);
      if (uid === undefined) continue; // cannot happen: assign() covered every name
      byUid.set(uid, located);
      const sizes = await this.#sizesOf(located);
      messages.push({
        uid,
        unique,
        uidl: pop3Uidl(state.uidValidity, uid),
        fileName: located.fileName,
        flags: located.flags,
        isNew: located.fileName.startsWith('new/'),
        ...sizes,
      });
    }
    this.#byUid = byUid;
    messages.sort((a, b) => a.uid - b.uid);
    return { uidValidity: state.uidValidity, nextUid: state.nextUid, messages };
  }

  /** The message's bytes as stored (LF line ends for our deliveries). */
  async openMessage(uid: number): Promise<Readable> {
    const handle = await this.#withFile(uid, (path) => open(path, 'r'));
    return handle.createReadStream();
  }

  /** The message with CRLF line ends, streamed (POP3 RETR, IMAP FETCH). */
  async *readMessageCrlf(uid: number): AsyncGenerator<Uint8Array> {
    yield* expandToCrlf(await this.openMessage(uid));
  }

  /** Delete messages; UIDs already gone are ignored. Resolves with how many files were removed. */
  async expunge(uids: Iterable<number>): Promise<number> {
    let removed = 0;
    for (const uid of uids) {
      try {
        await this.#withFile(uid, (path) => unlink(path));
        removed++;
      } catch (error) {
        if (!(error instanceof StoreError && error.code === 'not-found')) throw error;
      }
    }
    for (const sub of ['new', 'cur']) await fsyncDirectory(join(this.path, sub));
    await this.#compactIfSparse();
    return removed;
  }

  /** Replace a message's flags; the file moves to cur/ (maildir.html: seen by a client). */
  async setFlags(uid: number, flags: string): Promise<void> {
    await this.#withFile(uid, async (path, located) => {
      const target = join('cur', formatInfo(located.unique, flags));
      if (target !== located.fileName) await rename(path, join(this.path, target));
      this.#byUid.set(uid, { unique: located.unique, fileName: target, flags: parseInfo(target).flags });
    });
  }

  /** Add the S (seen) flag, moving the message from new/ to cur/ if needed. */
  async markSeen(uids: Iterable<number>): Promise<void> {
    for (const uid of uids) {
      const located = await this.#locate(uid);
      await this.setFlags(uid, `${located.flags}S`);
    }
  }

  /** Remove tmp/ files older than 36 hours (crashed deliveries); resolves with their names. */
  async cleanupTmp(): Promise<string[]> {
    const tmp = join(this.path, 'tmp');
    const removed: string[] = [];
    for (const name of await readdir(tmp)) {
      const info = await stat(join(tmp, name)).catch(() => undefined);
      if (!info?.isFile() || this.#clock() - Math.max(info.atimeMs, info.mtimeMs) < STALE_TMP_MS) continue;
      await unlink(join(tmp, name)).catch(() => undefined);
      removed.push(name);
    }
    return removed;
  }

  /**
   * Take the folder's exclusive lock of one kind (e.g. 'pop3', RFC 1939 §8 maildrop lock).
   * Throws StoreError 'locked' while a live process holds it; a dead holder's lock is broken.
   */
  async acquireLock(kind: string): Promise<LockHandle> {
    if (!LOCK_KIND.test(kind)) throw new StoreError('invalid-name', `bad lock kind ${JSON.stringify(kind)}`);
    const handle = await tryLockFile(join(this.path, `mailstack-${kind}.lock`));
    if (!handle) throw new StoreError('locked', `${this.path} is in use (${kind})`);
    return handle;
  }

  async #createTmp(flags: string | number): Promise<{ unique: string; fd: number }> {
    for (;;) {
      const unique = maildirName({ now: this.#clock(), host: this.#host, pid: this.#pid, seq: ++deliverySeq });
      try {
        return { unique, fd: await openFd(this.#tmpDir + unique, flags) };
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw new StoreError('io', `cannot write to ${this.path}/tmp`, { cause: error });
      }
    }
  }

  async #scan(): Promise<Map<string, Located>> {
    const found = new Map<string, Located>();
    for (const sub of ['new', 'cur']) {
      for (const name of await readdir(join(this.path, sub))) {
        if (name.startsWith('.') || name.includes('\n')) continue;
        const { unique, flags } = parseInfo(name);
        // Lenient: Dovecot leaves a message in new/ when only its flags change ('new/<unique>:2,R').
        found.set(unique, { unique, fileName: `${sub}/${name}`, flags });
      }
    }
    return found;
  }

  async #sizesOf(located: Located): Promise<{ sizeBytes: number; crlfSizeBytes: number }> {
    const fields = parseSizeFields(located.unique);
    if (fields.sizeBytes !== undefined && fields.crlfSizeBytes !== undefined) {
      return { sizeBytes: fields.sizeBytes, crlfSizeBytes: fields.crlfSizeBytes };
    }
    const cached = this.#computedSizes.get(located.unique);
    if (cached) return cached;
    // Another tool's delivery without ',S=,W=': read it once.
    const handle = await open(join(this.path, located.fileName), 'r');
    let sizeBytes = 0;
    const expander = new CrlfExpander();
    for await (const chunk of handle.createReadStream()) {
      sizeBytes += (chunk as Buffer).length;
      expander.push(chunk as Buffer);
    }
    const sizes = { sizeBytes, crlfSizeBytes: expander.sizeBytes };
    this.#computedSizes.set(located.unique, sizes);
    return sizes;
  }

  async #locate(uid: number): Promise<Located> {
    if (!this.#byUid.has(uid)) await this.snapshot();
    const located = this.#byUid.get(uid);
    if (!located) throw new StoreError('not-found', `no message with UID ${uid} in ${this.path}`);
    return located;
  }

  /** Run `action` on the message's current path; if it was renamed meanwhile, look again once. */
  async #withFile<T>(uid: number, action: (path: string, located: Located) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const located = await this.#locate(uid);
      try {
        return await action(join(this.path, located.fileName), located);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw new StoreError('io', `cannot access UID ${uid} in ${this.path}`, { cause: error });
        this.#byUid.delete(uid);
        if (attempt > 0) throw new StoreError('not-found', `UID ${uid} is gone from ${this.path}`, { cause: error });
      }
    }
  }

  async #compactIfSparse(): Promise<void> {
    const state = await this.#uidlist.read();
    if (!state) return;
    const live = new Set((await this.#scan()).keys());
    if (state.uids.size - live.size > live.size + COMPACT_SLACK) {
      await this.#uidlist.compact(async () => new Set((await this.#scan()).keys()));
    }
  }
}

/** The parts of a message as bytes; text is a TypeError (a caller that forgot to encode). */
function bytesOnly(parts: readonly unknown[]): readonly Uint8Array[] {
  for (const part of parts) if (!(part instanceof Uint8Array)) throw new TypeError(NOT_BYTES);
  return parts as readonly Uint8Array[];
}
