/**
 * How long to pause before answering a failed authentication (Dovecot's auth_failure_delay):
 * the base delay, doubled for each further recent failure from the same client address or for
 * the same user, up to a cap. Pure bookkeeping with the clock as an argument; the protocol
 * adapter does the sleeping. Memory is bounded: the oldest records are dropped first.
 */

export interface AuthFailureDelayOptions {
  /** Delay after the first failure (config limits.authFailureDelay). */
  baseMs: number;
  /** Cap (config limits.authFailureMaxDelay). */
  maxMs: number;
  /** Failures older than this are forgotten; default 15 minutes. */
  windowMs?: number;
  /** At most this many addresses and users are remembered; default 10000. */
  maxEntries?: number;
}

/** Who failed: the client address and, if it got that far, the user name. */
export interface AuthAttempt {
  ip: string;
  user?: string | undefined;
}

interface FailureRecord {
  count: number;
  lastAt: number;
}

export class AuthFailureDelay {
  readonly #records = new Map<string, FailureRecord>();
  readonly #windowMs: number;
  readonly #maxEntries: number;

  constructor(private readonly options: AuthFailureDelayOptions) {
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  #keys(attempt: AuthAttempt): string[] {
    return attempt.user === undefined ? [`ip:${attempt.ip}`] : [`ip:${attempt.ip}`, `user:${attempt.user.toLowerCase()}`];
  }

  #count(key: string, now: number): number {
    const record = this.#records.get(key);
    return record && now - record.lastAt < this.#windowMs ? record.count : 0;
  }

  /** Remember one failure. */
  recordFailure(attempt: AuthAttempt, now: number): void {
    for (const key of this.#keys(attempt)) {
      const count = this.#count(key, now) + 1;
      this.#records.delete(key); // re-insert so Map order is least recently failed first
      this.#records.set(key, { count, lastAt: now });
    }
    while (this.#records.size > this.#maxEntries) this.#records.delete(this.#records.keys().next().value!);
  }

  /** A successful login clears that user's record (not the address's: one good account must not
   *  let an address reset its count for guessing others). */
  recordSuccess(attempt: AuthAttempt): void {
    if (attempt.user !== undefined) this.#records.delete(`user:${attempt.user.toLowerCase()}`);
  }

  /** The pause before answering a failure that has just been recorded (0 when none recorded). */
  delayMs(attempt: AuthAttempt, now: number): number {
    const failures = Math.max(...this.#keys(attempt).map((key) => this.#count(key, now)));
    if (failures === 0) return 0;
    return Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(failures - 1, 30));
  }
}
