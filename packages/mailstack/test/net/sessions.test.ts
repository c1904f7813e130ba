// SessionSet (src/net/sessions.ts): the sessions a server runs, and its graceful close.
import { describe, expect, it } from 'vitest';
import { SessionSet, type ServedSession } from '../../src/net/sessions.js';

/** A session that ends when told to: at shutdown() if `obeysShutdown`, always at destroy(). */
function session(obeysShutdown: boolean): ServedSession & { calls: string[] } {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const calls: string[] = [];
  return {
    calls,
    run: () => ended,
    shutdown() {
      calls.push('shutdown');
      if (obeysShutdown) end();
    },
    destroy() {
      calls.push('destroy');
      end();
    },
  };
}

describe('SessionSet', () => {
  it('counts running sessions and calls ended() once a session has ended', async () => {
    const set = new SessionSet();
    const a = session(true);
    let released = 0;
    set.serve(a, () => released++);
    expect(set.size).toBe(1);
    a.shutdown();
    await new Promise((resolve) => setImmediate(resolve));
    expect({ size: set.size, released }).toEqual({ size: 0, released: 1 });
  });

  it('close() shuts every session down and destroys only those still running after the grace period', async () => {
    const set = new SessionSet();
    const polite = session(true);
    const stubborn = session(false);
    set.serve(polite, () => undefined);
    set.serve(stubborn, () => undefined);
    const started = Date.now();
    await set.close(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(polite.calls).toEqual(['shutdown']);
    expect(stubborn.calls).toEqual(['shutdown', 'destroy']);
    expect(set.size).toBe(0);
  });

  it('close() returns at once when every session obeys shutdown', async () => {
    const set = new SessionSet();
    set.serve(session(true), () => undefined);
    const started = Date.now();
    await set.close(10_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
