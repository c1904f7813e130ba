/**
 * A binary min-heap keyed by time, for the scheduler's timers (next attempts, expiries, delay
 * warnings). Equal times pop in push order (a sequence number breaks ties), so recipients that
 * become due together are served first come, first served. Entries are never removed from the middle: callers check on pop whether an entry is
 * still current (lazy deletion), which keeps every operation O(log n).
 */
export class TimeHeap<T> {
  readonly #items: Array<Entry<T>> = [];
  #seq = 0;

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** Add `value` due at `at`. */
  push(at: number, value: T): void {
    const items = this.#items;
    const entry = { at, seq: this.#seq++, value };
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, items[parent] as Entry<T>)) break;
      swap(items, i, parent);
      i = parent;
    }
  }

  /** The earliest entry without removing it. */
  peek(): { at: number; value: T } | undefined {
    return this.#items[0];
  }

  /** Remove and return the earliest entry. */
  pop(): { at: number; value: T } | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < items.length && before(items[l] as Entry<T>, items[min] as Entry<T>)) min = l;
      if (r < items.length && before(items[r] as Entry<T>, items[min] as Entry<T>)) min = r;
      if (min === i) break;
      swap(items, i, min);
      i = min;
    }
    return top;
  }
}

interface Entry<T> {
  at: number;
  seq: number;
  value: T;
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap<T>(items: T[], i: number, j: number): void {
  const a = items[i] as T;
  items[i] = items[j] as T;
  items[j] = a;
}
