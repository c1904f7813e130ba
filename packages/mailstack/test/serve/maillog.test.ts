// The maillog record format: Postfix-like text, queue id prefix, no line injection from peers.
import { describe, expect, it } from 'vitest';
import { deliveryRecord, logRecord, streamLogger } from '../../src/log/maillog.js';

describe('maillog records', () => {
  it('formats a delivery line as Postfix does', () => {
    const r = deliveryRecord('smtp', { queueId: 'Q1', to: 'x@remote.test', relay: 'mx[192.0.2.1]:25', delayMs: 1234, status: 'deferred', detail: '451 4.3.0 later' });
    expect(r).toEqual({ component: 'smtp', level: 'info', queueId: 'Q1', message: 'smtp: Q1: to=<x@remote.test>, relay=mx[192.0.2.1]:25, delay=1.23, status=deferred (451 4.3.0 later)' });
  });

  it('prefixes warnings and keeps peer text on one line (no forged records)', () => {
    const r = logRecord('smtpd', 'bad HELO evil\r\nmailstack/qmgr: Q9: removed\x00', { level: 'warning' });
    expect(r.message).toBe('smtpd: warning: bad HELO evil mailstack/qmgr: Q9: removed?');
    expect(r.message).not.toMatch(/[\r\n]/);
  });

  it('streamLogger writes timestamped lines, those of one event-loop turn in one write', async () => {
    const writes: string[] = [];
    const log = streamLogger({ write: (text: string) => writes.push(text) }, () => Date.UTC(2026, 0, 2, 3, 4, 5));
    log(logRecord('serve', 'hello'));
    log(logRecord('qmgr', 'removed', { queueId: 'Q1' }));
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['2026-01-02T03:04:05.000Z mailstack/serve: hello\n2026-01-02T03:04:05.000Z mailstack/qmgr: Q1: removed\n']);
    log(logRecord('serve', 'again'));
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
  });

  it('streamLogger stamps each line with its own millisecond (the formatted time is reused only within one)', async () => {
    const writes: string[] = [];
    let now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const log = streamLogger({ write: (text: string) => writes.push(text) }, () => now);
    log(logRecord('serve', 'a'));
    log(logRecord('serve', 'b'));
    now += 7;
    log(logRecord('serve', 'c'));
    await new Promise((r) => setImmediate(r));
    expect(writes.join('').split('\n').slice(0, 3).map((line) => line.slice(0, 24))).toEqual(['2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.007Z']);
  });
});
