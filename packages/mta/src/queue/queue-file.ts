// A queue file: one JSON line with the envelope, then the message bytes exactly as received.
// One file means one rename moves the whole message between states, and the envelope can never be
// separated from its body. Writers create it under a name nobody scans (incoming/, or a '.tmp'
// name in maildrop/), fsync it, and only then rename it where readers look.

import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { QueueError } from './errors.js';
import { type StoredEnvelope, checkEnvelope } from './envelope.js';
import type { Syncer } from './durability.js';

const LF = 0x0a;
// Enough for ~100,000 recipients of 100 octets; a longer first line is not ours.
const MAX_ENVELOPE_BYTES = 16 * 1024 * 1024;
const READ_STEP_BYTES = 64 * 1024;
const WRITE_STEP_BYTES = 64 * 1024;

/** Write a complete queue file at `path` (which must not exist) and fsync it; returns the body size. */
export async function writeQueueFile(
  path: string,
  envelope: StoredEnvelope,
  body: AsyncIterable<Uint8Array>,
  syncer: Syncer,
): Promise<number> {
  const handle = await open(path, 'wx', 0o600);
  let bodyBytes = 0;
  // Small chunks (a body arrives in many) are gathered into writes of up to WRITE_STEP_BYTES:
  // a typical message is then one write(2), one fdatasync(2).
  let pending: Uint8Array[] = [Buffer.from(`${JSON.stringify(envelope)}\n`, 'utf8')];
  let pendingBytes = pending[0]!.length;
  const flush = async () => {
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await writeAll(handle, bytes);
  };
  try {
    for await (const chunk of body as AsyncIterable<unknown>) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('the message body must be a byte stream, not text');
      pending.push(chunk);
      pendingBytes += chunk.length;
      bodyBytes += chunk.length;
      if (pendingBytes >= WRITE_STEP_BYTES) await flush();
    }
    if (pendingBytes > 0) await flush();
    await syncer.file(handle);
  } finally {
    await handle.close();
  }
  return bodyBytes;
}

/** The envelope of a queue file and where its body starts. */
export interface QueueFileHead {
  envelope: StoredEnvelope;
  bodyOffset: number;
  bodyBytes: number;
}

/** Read and check the first line of an open queue file. */
export async function readQueueFileHead(handle: FileHandle, name: string): Promise<QueueFileHead> {
  const { size } = await handle.stat();
  const parts: Buffer[] = [];
  for (let offset = 0; offset < Math.min(size, MAX_ENVELOPE_BYTES); offset += READ_STEP_BYTES) {
    const buffer = Buffer.alloc(Math.min(READ_STEP_BYTES, size - offset));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    const part = buffer.subarray(0, bytesRead);
    const lf = part.indexOf(LF);
    if (lf >= 0) {
      parts.push(part.subarray(0, lf));
      const bodyOffset = offset + lf + 1;
      return { envelope: parseEnvelopeLine(Buffer.concat(parts), name), bodyOffset, bodyBytes: size - bodyOffset };
    }
    parts.push(part);
    if (bytesRead < buffer.length) break;
  }
  throw new QueueError('corrupt', `queue file ${name} has no complete envelope line`);
}

/** Open the body of a queue file as a stream (the handle is closed when the stream ends). */
export function openBody(handle: FileHandle, head: QueueFileHead): Readable {
  return handle.createReadStream({ start: head.bodyOffset });
}

function parseEnvelopeLine(line: Buffer, name: string): StoredEnvelope {
  try {
    return checkEnvelope(JSON.parse(line.toString('utf8')));
  } catch (error) {
    throw new QueueError('corrupt', `queue file ${name} has a bad envelope`, { cause: error });
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset);
    offset += bytesWritten;
  }
}
