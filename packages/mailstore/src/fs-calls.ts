// File system calls for the hot paths (a Maildir delivery, a queue file): node:fs's callback
// calls behind small promises. Same system calls as fs/promises' FileHandle, without its per-file
// object, close-on-GC tracking and extra promise layers (measured in bench/mta: several percent
// of serve's CPU per message).
//
// Every call but close goes through libuv's thread pool: open(O_CREAT), write, rename, unlink
// and fsync can wait for the ext4 journal (a commit in progress, a full log) and must not stall
// the event loop. Measured in bench/mta (5,000 messages, 20 sessions, synchronous variants timed
// in serve): openSync(O_CREAT) p50 326 µs, p99 1.2 ms, max 8 ms; unlinkSync p50 122 µs, p99 4 ms,
// max 120 ms; renameSync p50 16 µs, max 4 ms; acceptance fell by half. (Those creates were slow
// mostly from ext4's recently-deleted inode scan, which the bench did not yet wait out; measured
// again with the corrected bench on 2026-11-27, synchronous open/write/ftruncate/rename were still
// not faster: docs/operations.md.) close(2) runs
// synchronously: on a regular file that was not truncated it only drops the descriptor (ext4
// flushes on close only after a truncate, auto_da_alloc); measured p50 3 µs, p99 46 µs, less
// than a pool round trip costs.

import { closeSync, constants, fdatasync, fstat, fsync, ftruncate, open, read, rename, unlink, write, type Stats } from 'node:fs';

/**
 * open(2) flags for a new file whose every write(2) returns only once the data, and the metadata
 * needed to read it back (its size), are on disk (O_DSYNC: POSIX synchronized I/O data integrity,
 * an fdatasync(2) inside each write). A file written in one write needs no sync call of its own:
 * one thread-pool round trip instead of two. Undefined where the platform has no O_DSYNC.
 */
export const CREATE_DSYNC: number | undefined =
  constants.O_DSYNC === undefined ? undefined : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;

/** open(2); resolves with the descriptor. */
export function openFd(path: string, flags: string | number, mode = 0o600): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, mode, (error, fd) => (error ? reject(error) : resolve(fd))));
}

/** close(2), synchronously (see above); errors are ignored, the descriptor is gone either way. */
export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // EIO on close of a file we already fsync'd (or will discard) changes nothing for the caller.
  }
}

/** Write all of `bytes` at the current offset (write(2) may write less than asked). */
export async function writeAllFd(fd: number, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    offset += await new Promise<number>((resolve, reject) =>
      write(fd, bytes, offset, bytes.length - offset, null, (error, written) => (error ? reject(error) : resolve(written))),
    );
  }
}

/** fsync(2), or fdatasync(2) with `dataOnly` (the data and the metadata needed to read it back). */
export function syncFd(fd: number, dataOnly = false): Promise<void> {
  return new Promise((resolve, reject) => (dataOnly ? fdatasync : fsync)(fd, (error) => (error ? reject(error) : resolve())));
}

/** ftruncate(2): cut (or extend) the file to `bytes`. */
export function truncateFd(fd: number, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => ftruncate(fd, bytes, (error) => (error ? reject(error) : resolve())));
}

/** fstat(2). */
export function statFd(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) => fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats))));
}

/** pread(2) into `buffer` from file `position`; resolves with the bytes read (0 at the end). */
export function readFd(fd: number, buffer: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, buffer.length, position, (error, n) => (error ? reject(error) : resolve(n))));
}

/** rename(2). */
export function renamePath(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => rename(from, to, (error) => (error ? reject(error) : resolve())));
}

/** unlink(2). */
export function unlinkPath(path: string): Promise<void> {
  return new Promise((resolve, reject) => unlink(path, (error) => (error ? reject(error) : resolve())));
}
