// RFC 1939 §3 autologout over a real socket, with the server's clock (setInterval, Date) faked:
// after 10 idle minutes in TRANSACTION the session closes without a response and without
// UPDATE (the DELE is not applied) and the maildrop lock is released.
import { afterEach, expect, it, vi } from 'vitest';
import { LineSocket } from '../peers/index.js';
import { message, startTestServer, USERS } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

it('an idle session is logged out after 10 minutes: no reply, no UPDATE, lock released', async () => {
  const s = await startTestServer();
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    await s.deliver('alice', message(1).lf);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const c = await LineSocket.connect(s.port);
    await c.readLine();
    await c.command('USER alice');
    expect(await c.command(`PASS ${USERS.alice}`)).toBe('+OK Logged in.');
    expect(await c.command('DELE 1')).toBe('+OK message 1 deleted');
    vi.advanceTimersByTime(9 * 60_000); // still within the 10 minutes
    expect(await c.command('NOOP')).toBe('+OK');
    vi.advanceTimersByTime(10 * 60_000 + 2_000);
    await expect(c.readLine()).rejects.toThrow(/connection closed; unread: ""/);
    vi.useRealTimers();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s.files('alice')).toHaveLength(1);
    expect(s.logs.find((r) => r.event === 'disconnect')?.message).toMatch(/\(Disconnected for inactivity\)$/);
    const again = await LineSocket.connect(s.port);
    await again.readLine();
    await again.command('USER alice');
    expect(await again.command(`PASS ${USERS.alice}`)).toBe('+OK Logged in.');
    await again.close();
    // The ten minutes of ticks fired at once queue one clock pump, not one per tick (each used to
    // add a socket listener once the session had closed).
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  } finally {
    process.off('warning', onWarning);
    await s.stop();
  }
});
