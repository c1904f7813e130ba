/**
 * One shared clock for every connection of a server (instead of a timer per connection): every
 * `intervalMs` each registered callback gets `Date.now()`. The cores decide what has timed out
 * (RFC 5321 §4.5.3.2, RFC 1939 §3); the interval only bounds how late they notice. The timer is
 * unref'd, so an idle server does not keep the process alive by its clock alone.
 */
export class Ticker {
  readonly #callbacks = new Set<(now: number) => void>();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Call `callback(now)` on every tick until the returned function is called. */
  add(callback: (now: number) => void): () => void {
    this.#callbacks.add(callback);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
      this.#timer.unref();
    }
    return () => {
      this.#callbacks.delete(callback);
      if (this.#callbacks.size === 0 && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  #tick(): void {
    const now = Date.now();
    for (const callback of this.#callbacks) callback(now);
  }
}
