/**
 * The message body handed to `onData` while it is still arriving: an AsyncIterable of the
 * dot-unstuffed chunks (DATA) or the chunks of every BDAT (RFC 3030 §2), in order. The driver
 * pushes; when more than `highWaterBytes` wait unread, `push()` returns a promise and the driver
 * stops reading the socket until the handler has caught up (backpressure, STYLE.md §4).
 *
 * A body that does not end normally (client gone mid-DATA, server shutdown) makes the iterator
 * throw SmtpBodyAbortedError, so a handler that stores while reading never takes a partial
 * message for a whole one. A handler that stops reading early (it refuses the message) does not
 * block the driver: later chunks are dropped.
 */
import { MailError } from '@mailstack/smtp-core';

/** The body ended without its terminator: do not treat what was read as a message. */
export class SmtpBodyAbortedError extends MailError<'aborted'> {}

type Waiter = { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: Error) => void };

/** One message body being received. */
export class SmtpBodyStream implements AsyncIterable<Uint8Array> {
  readonly #highWaterBytes: number;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #ended = false;
  #error: Error | undefined;
  #detached = false;
  #iterating = false;
  #reader: Waiter | undefined;
  #drained: (() => void) | undefined;

  constructor(highWaterBytes = 256 * 1024) {
    this.#highWaterBytes = highWaterBytes;
  }

  /** Add a chunk; a promise when the reader is behind (await it before reading more input). */
  push(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#ended || this.#detached || chunk.length === 0) return undefined;
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve({ value: chunk, done: false });
      return undefined;
    }
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    if (this.#queuedBytes <= this.#highWaterBytes) return undefined;
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  /** The body is complete. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#settleReader();
  }

  /** The body will never be complete: the reader gets `error`. */
  abort(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#settleReader();
    this.#release();
  }

  /** The handler has finished (with or without reading everything): drop what comes later. */
  detach(): void {
    this.#detached = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#release();
  }

  #settleReader(): void {
    const reader = this.#reader;
    if (reader === undefined || this.#queue.length > 0) return;
    this.#reader = undefined;
    if (this.#error !== undefined) reader.reject(this.#error);
    else reader.resolve({ value: undefined, done: true });
  }

  #release(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#queuedBytes -= chunk.length;
      if (this.#queuedBytes <= this.#highWaterBytes / 2) this.#release();
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#iterating) throw new MailError('wrong-state', 'a message body can be read only once');
    this.#iterating = true;
    return {
      next: () => this.#next(),
      return: () => {
        this.detach();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
