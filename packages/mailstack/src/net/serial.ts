/**
 * Runs async steps one after another. A driver pumps its core from two places (socket input and
 * the clock); the core must never be entered twice at once.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  /** Run `step` after every step queued before it; its result or error is returned. */
  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(step);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
