// A queue file: one JSON line with the envelope, then the message bytes exactly as received.
// One file means one rename moves the whole message between states, and the envelope can never be
// separated from its body. Writers create it under a name nobody scans (incoming/, or a '.tmp'
// name in maildrop/), fsync it, and only then rename it where readers look.

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { WriteGather, closeFd, openFd, readFd, statFd, truncateFd, type MessageBytes } from '@mailstack/mailstore';
import { QueueError } from './errors.js';
import { MemoryBody } from './memory-body.js';
import { type StoredEnvelope, checkEnvelope } from './envelope.js';
import type { Syncer } from './durability.js';

const LF = 0x0a;
// Enough for ~100,000 recipients of 100 octets; a longer first line is not ours.
const MAX_ENVELOPE_BYTES = 16 * 1024 * 1024;
const READ_STEP_BYTES = 64 * 1024;

/** The envelope of a queue file and where its body starts. */
export interface QueueFileHead {
  envelope: StoredEnvelope;
  bodyOffset: number;
  bodyBytes: number;
  /** The whole file, when it was read (or written) in one step: the body needs no further read. */
  contents?: Buffer;
}

/**
 * Write a complete queue file at `path` and fdatasync it. `path` must not exist, unless
 * `previousBytes` is given: then it is a spare (spare-files.ts) of that size, written over from
 * the start and cut to the new length. The open comes first, so an open that fails has read
 * nothing of `body`. The head it returns keeps the file's bytes when they went out in one write
 * (up to 64 KiB).
 */
export async function writeQueueFile(
  path: string,
  envelope: StoredEnvelope,
  body: MessageBytes,
  syncer: Syncer,
  previousBytes?: number,
): Promise<QueueFileHead> {
  const fd = await openFd(path, previousBytes === undefined ? 'wx' : 'r+');
  const line = Buffer.from(`${JSON.stringify(envelope)}\n`, 'utf8');
  let bodyBytes = 0;
  // The envelope line and the body's chunks go out gathered: a typical message is one write(2)
  // and one fdatasync(2).
  const out = new WriteGather(fd);
  try {
    await out.add(line); // a step's worth only with tens of thousands of recipients
    for await (const chunk of body as AsyncIterable<unknown> | readonly unknown[]) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('the message body must be a byte stream, not text');
      bodyBytes += chunk.length;
      const written = out.add(chunk);
      if (written !== undefined) await written;
    }
    await out.flush();
    const bytes = line.length + bodyBytes;
    if (previousBytes !== undefined && previousBytes > bytes) await truncateFd(fd, bytes);
    await syncer.file(fd);
  } finally {
    closeFd(fd);
  }
  const head: QueueFileHead = { envelope, bodyOffset: line.length, bodyBytes };
  const contents = out.singleWrite;
  if (contents !== undefined) head.contents = contents;
  return head;
}

/** Read and check the first line of an open queue file (a file of up to 64 KiB is read whole). */
export async function readQueueFileHead(fd: number, name: string): Promise<QueueFileHead> {
  const { size } = await statFd(fd);
  const parts: Buffer[] = [];
  for (let offset = 0; offset < Math.min(size, MAX_ENVELOPE_BYTES); offset += READ_STEP_BYTES) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_STEP_BYTES, size - offset));
    const bytesRead = await readFd(fd, buffer, offset);
    const part = buffer.subarray(0, bytesRead);
    const lf = part.indexOf(LF);
    if (lf >= 0) {
      parts.push(part.subarray(0, lf));
      const bodyOffset = offset + lf + 1;
      const head: QueueFileHead = { envelope: parseEnvelopeLine(Buffer.concat(parts), name), bodyOffset, bodyBytes: size - bodyOffset };
      if (offset === 0 && bytesRead === size) head.contents = part;
      return head;
    }
    parts.push(part);
    if (bytesRead < buffer.length) break;
  }
  throw new QueueError('corrupt', `queue file ${name} has no complete envelope line`);
}

/** The body of a queue file; takes over `fd` (closed now, or when the stream ends). */
export function openBody(fd: number, head: QueueFileHead): Readable | MemoryBody {
  if (head.contents === undefined) return createReadStream('', { fd, start: head.bodyOffset });
  closeFd(fd);
  return bodyFromMemory(head.contents, head.bodyOffset);
}

/** The body of a queue file whose bytes are in memory. */
export function bodyFromMemory(contents: Buffer, bodyOffset: number): MemoryBody {
  return new MemoryBody(contents.subarray(bodyOffset));
}

function parseEnvelopeLine(line: Buffer, name: string): StoredEnvelope {
  try {
    return checkEnvelope(JSON.parse(line.toString('utf8')));
  } catch (error) {
    throw new QueueError('corrupt', `queue file ${name} has a bad envelope`, { cause: error });
  }
}
