/**
 * One pump at a time for a protocol driver (STYLE.md §2). A driver pumps its core from three
 * places (socket input, the shared clock, shutdown); the core must never be entered twice at once,
 * and pumps must run in the order they were asked for.
 *
 * Input takes the direct way when no other pump is queued or running (the usual case): the pump
 * runs in the 'data' handler itself, so a chunk answered synchronously costs no promise, no
 * microtask and no pause of the socket. A pump that has to wait (a handler's promise, a write
 * waiting for `drain`) holds the queue until it is done; every other pump queues behind it.
 */
import type { Socket } from 'node:net';

export interface PumpGateHooks {
  /**
   * A pump threw or rejected: the core is mid-answer and nothing more can be said on this session.
   * The driver notes why, and cuts the connection (its read loop sees the close and ends it).
   */
  failed(error: unknown): void;
  /** A pump for the clock or a shutdown ended the session (an input pump tells its read loop). */
  endedOutside(): void;
}

/**
 * The hooks of a driver on a socket: a failed pump ends the session with `error: <message>` as
 * its reason and cuts the connection; a session ended by the clock or a shutdown closes once its
 * last bytes are written. `socket` is read when needed (STARTTLS replaces it).
 */
export function socketHooks(socket: () => Socket, ended: (reason: string) => void): PumpGateHooks {
  return {
    failed: (error) => {
      ended(`error: ${(error as Error).message}`);
      socket().destroy();
    },
    endedOutside: () => socket().destroySoon(),
  };
}

/** Who may pump a driver's core, and when. */
export class PumpGate<R> {
  readonly #pump: () => R | Promise<R>;
  readonly #closed: R;
  readonly #hooks: PumpGateHooks;
  #tail: Promise<unknown> = Promise.resolve();
  /** Pumps queued or running behind #tail. */
  #queued = 0;
  #running = false;
  #clockQueued = false;

  /** `pump` answers the core's events and returns `closed` when the session is over. */
  constructor(pump: () => R | Promise<R>, closed: R, hooks: PumpGateHooks) {
    this.#pump = pump;
    this.#closed = closed;
    this.#hooks = hooks;
  }

  /** A pump is running now (a synchronous one, or one waiting on a promise). */
  get busy(): boolean {
    return this.#running;
  }

  /** A pump for new input: now, unless another pump is queued or running. */
  direct(): R | Promise<R> {
    if (this.#queued > 0) return this.queued();
    const result = this.#run();
    return result instanceof Promise ? this.#hold(() => result) : result;
  }

  /** A pump behind every pump queued before it (the clock, shutdown, end of input). */
  queued(): Promise<R> {
    return this.#hold(async () => this.#run());
  }

  /**
   * A pump not started by input, behind the queue: after the clock's tick, or for a shutdown. One
   * clock pump is queued at a time: a clock that jumps (a suspended machine, faked timers) fires
   * many ticks at once, and each queued pump that found the session closed would add a 'finish'
   * listener to the socket (destroySoon(), MaxListenersExceededWarning).
   */
  outside(cause: 'clock' | 'shutdown'): void {
    if (cause === 'clock') {
      if (this.#clockQueued) return;
      this.#clockQueued = true;
    }
    this.queued().then(
      (result) => {
        if (cause === 'clock') this.#clockQueued = false;
        if (result === this.#closed) this.#hooks.endedOutside();
      },
      () => undefined, // #run has told the driver
    );
  }

  #run(): R | Promise<R> {
    this.#running = true;
    const failed = (error: unknown): never => {
      this.#running = false;
      this.#hooks.failed(error);
      throw error;
    };
    let result: R | Promise<R>;
    try {
      result = this.#pump();
    } catch (error) {
      return failed(error);
    }
    if (!(result instanceof Promise)) {
      this.#running = false;
      return result;
    }
    return result.then((r) => {
      this.#running = false;
      return r;
    }, failed);
  }

  /** Runs `step` after the queue, counted in #queued while it is queued or running. */
  #hold(step: () => Promise<R>): Promise<R> {
    this.#queued++;
    const run = this.#tail.then(step);
    const dequeue = (): void => void this.#queued--;
    this.#tail = run.then(dequeue, dequeue);
    return run;
  }
}

/** `result` now when nothing is awaited, else once `wait` has settled (a pump's result after a flush). */
export function after<R>(wait: Promise<void> | undefined, result: R): R | Promise<R> {
  return wait === undefined ? result : wait.then(() => result);
}
