// PumpGate: input pumps run at once when nothing waits, every other pump in order behind the one
// that waits; failures reach the driver; one clock pump queued at a time.
import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { PumpGate, after, socketHooks } from '../../src/net/pump-gate.js';

type Result = 'open' | 'closed';

function gate(steps: Array<() => Result | Promise<Result>>) {
  const log: string[] = [];
  let n = 0;
  const g = new PumpGate<Result>(
    () => {
      const step = steps[n++];
      if (step === undefined) throw new Error(`pump ${n} not expected`);
      log.push(`pump ${n}`);
      return step();
    },
    'closed',
    { failed: (error) => log.push(`failed: ${(error as Error).message}`), endedOutside: () => log.push('ended outside') },
  );
  return { g, log };
}

const deferred = () => {
  let resolve!: (r: Result) => void;
  const promise = new Promise<Result>((r) => (resolve = r));
  return { promise, resolve };
};

describe('PumpGate', () => {
  it('runs an input pump synchronously when nothing is queued: no promise', () => {
    const { g, log } = gate([() => 'open']);
    expect(g.direct()).toBe('open');
    expect(log).toEqual(['pump 1']);
    expect(g.busy).toBe(false);
  });

  it('keeps later pumps behind one that waits, in the order they were asked for', async () => {
    const wait = deferred();
    const { g, log } = gate([() => wait.promise, () => 'open', () => 'closed']);
    const first = g.direct();
    expect(first).toBeInstanceOf(Promise);
    expect(g.busy).toBe(true);
    const second = g.direct(); // input while the first waits: queued, not run
    const third = g.queued();
    expect(log).toEqual(['pump 1']);
    wait.resolve('open');
    expect(await first).toBe('open');
    expect(await second).toBe('open');
    expect(await third).toBe('closed');
    expect(log).toEqual(['pump 1', 'pump 2', 'pump 3']);
    expect(g.busy).toBe(false);
  });

  it('tells the driver when a pump throws or rejects, and passes the error on', async () => {
    const { g, log } = gate([
      () => {
        throw new Error('sync');
      },
      () => Promise.reject(new Error('async')),
    ]);
    expect(() => g.direct()).toThrow('sync');
    expect(g.busy).toBe(false);
    await expect(g.direct()).rejects.toThrow('async');
    expect(log).toEqual(['pump 1', 'failed: sync', 'pump 2', 'failed: async']);
    expect(g.busy).toBe(false);
  });

  it('queues one clock pump at a time, and reports a session ended outside input', async () => {
    const { g, log } = gate([() => 'open', () => 'closed']);
    g.outside('clock');
    g.outside('clock'); // a jumping clock: the second tick finds one queued
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['pump 1']);
    g.outside('shutdown');
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['pump 1', 'pump 2', 'ended outside']);
  });

  it('after() gives the result at once when there is nothing to wait for', async () => {
    expect(after(undefined, 'open')).toBe('open');
    const later = after(Promise.resolve(), 'closed');
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe('closed');
  });
});

describe('socketHooks', () => {
  it('a failure gives the reason and destroys the socket; a session ended outside input closes after its writes', () => {
    const calls: string[] = [];
    const socket = { destroy: () => calls.push('destroy'), destroySoon: () => calls.push('destroySoon') } as unknown as Socket;
    const hooks = socketHooks(() => socket, (reason) => calls.push(reason));
    hooks.failed(new Error('boom'));
    hooks.endedOutside();
    expect(calls).toEqual(['error: boom', 'destroy', 'destroySoon']);
  });
});
