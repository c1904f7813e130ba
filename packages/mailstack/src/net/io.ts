/**
 * Socket I/O for protocol drivers (STYLE.md §2): reading that stops while the driver works, and
 * writing that waits for `drain` (backpressure).
 */
import { once } from 'node:events';
import type { Duplex } from 'node:stream';

/**
 * Feed the socket's chunks to `handle` until it answers anything but 'open' (the session is over,
 * or a STARTTLS/STLS upgrade comes next) or the input ends ('open'). 'data' events, with pause()
 * while a chunk's answer is a promise: the same backpressure as a for-await over the socket at a
 * fraction of the async iterator's cost per chunk (measured: the iterator was the largest
 * JavaScript cost of one-at-a-time POP3 RETRs); a chunk answered synchronously needs no pause.
 * The socket is left paused and undestroyed, so a TLSSocket can wrap it with no byte read before.
 * `noteEnd` gets why reading stopped on an error: `error: ...` when `handle` threw or rejected
 * (then 'closed'), `read error: ...` when the socket failed (then 'open', as at the end of input).
 */
export function readUntilStopped<R extends string>(
  socket: Duplex,
  handle: (chunk: Uint8Array) => R | 'open' | PromiseLike<R | 'open'>,
  noteEnd: (reason: string) => void,
): Promise<R | 'open' | 'closed'> {
  return new Promise((resolve) => {
    const finish = (result: R | 'open' | 'closed'): void => {
      socket.pause();
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      resolve(result);
    };
    const failed = (error: unknown): void => {
      noteEnd(`error: ${(error as Error).message}`);
      finish('closed');
    };
    const onData = (chunk: Uint8Array): void => {
      let answered: R | 'open' | PromiseLike<R | 'open'>;
      try {
        answered = handle(chunk);
      } catch (error) {
        failed(error);
        return;
      }
      if (typeof answered === 'string') {
        if (answered !== 'open') finish(answered);
        return;
      }
      socket.pause(); // no more input until this chunk is answered
      answered.then((result) => (result === 'open' ? socket.resume() : finish(result)), failed);
    };
    const onEnd = (): void => finish('open');
    const onError = (error: Error): void => {
      noteEnd(`read error: ${error.message}`);
      finish('open');
    };
    socket.on('data', onData).once('end', onEnd).once('close', onEnd).once('error', onError);
    socket.resume();
  });
}

/**
 * Write bytes; undefined when the socket took them (no promise, no microtask: the usual case), a
 * promise settled on `drain` or close when its buffer is full. A peer that reads nothing for
 * `timeoutMs` while we wait gets its socket destroyed (it would otherwise hold the connection
 * forever: the idle clock only runs while we wait for input).
 */
export function writeBytes(socket: Duplex, bytes: Uint8Array, timeoutMs = Infinity): Promise<void> | undefined {
  if (bytes.length === 0 || socket.destroyed || socket.writableEnded) return undefined;
  if (socket.write(bytes)) return undefined;
  return drainedOrClosed(socket, timeoutMs);
}

async function drainedOrClosed(socket: Duplex, timeoutMs: number): Promise<void> {
  const timer = Number.isFinite(timeoutMs) ? setTimeout(() => socket.destroy(), timeoutMs) : undefined;
  const ac = new AbortController(); // removes the listener of whichever event did not come
  try {
    await Promise.race([once(socket, 'drain', { signal: ac.signal }), once(socket, 'close', { signal: ac.signal })]);
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
