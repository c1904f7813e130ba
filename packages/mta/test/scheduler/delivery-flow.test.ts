// The pieces together, the way the queue manager in `mailstack` drives them: route each due
// recipient, record the outcome, and turn bounces into a DSN sent from <> — with a fake DNS and a
// fake SMTP client (the deliveries' replies are scripted per host).
import { describe, expect, it } from 'vitest';
import { buildDsn, parseAliases, RetryScheduler, Router, shouldNotify, type MtaReply, type SchedulerCommand } from '@mailstack/mta';
import { fakeResolver } from '../routing/fake-resolver.js';

const router = new Router({
  hostname: 'mail.example.test',
  localDomains: ['example.test'],
  isLocalUser: (n) => n === 'alice',
  aliases: parseAliases('team: alice, dave@down.example\n', 'aliases'),
  resolver: fakeResolver({
    mx: { 'down.example': [{ exchange: 'mx.down.example', priority: 10 }], 'gone.example': [{ exchange: '', priority: 0 }] },
    a: { 'mx.down.example': ['192.0.2.9'] },
  }),
  random: () => 0,
});
const unreachable: MtaReply = { code: 421, enhanced: '4.4.1', text: 'connect to mx.down.example[192.0.2.9]:25: Connection refused' };

describe('queue manager flow (scheduler + router + DSN)', () => {
  it('expands, delivers locally, retries a dead host until expiry, and bounces to the sender', async () => {
    const scheduler = new RetryScheduler({ maximalQueueLifetimeMs: 3_600_000 });
    const expanded = await router.expandRecipient('team@example.test');
    const recipients = [
      ...expanded.targets.map((t) => (t.kind === 'mailbox' ? `${t.user}@example.test` : t.kind === 'remote' ? t.address : '')),
      'eve@gone.example',
    ];
    expect(recipients).toEqual(['alice@example.test', 'dave@down.example', 'eve@gone.example']);
    scheduler.add({ queueId: 'Q1', arrivalAt: 0, recipients: recipients.map((r) => ({ recipient: r, destination: router.destinationOf(r) })) });

    const bounced: Extract<SchedulerCommand, { kind: 'bounce' }>[] = [];
    let now = 0;
    let attemptsAtDown = 0;
    for (let step = 0; step < 50 && scheduler.size > 0; step++) {
      let wake: number | undefined;
      let dispatched = false;
      for (const cmd of scheduler.next(now)) {
        if (cmd.kind === 'deliver') {
          dispatched = true;
          for (const rcpt of cmd.recipients) {
            const route = await router.route(rcpt);
            if (route.kind === 'local') scheduler.record({ queueId: cmd.queueId, recipient: rcpt, outcome: 'delivered', at: now });
            else if (route.kind === 'failed') {
              scheduler.record({ queueId: cmd.queueId, recipient: rcpt, outcome: route.reply.code >= 500 ? 'permanent' : 'transient', at: now, reply: route.reply });
            } else {
              attemptsAtDown++;
              expect(route.hops[0]?.address).toBe('192.0.2.9');
              scheduler.record({ queueId: cmd.queueId, recipient: rcpt, outcome: 'transient', at: now, reply: unreachable, scope: 'destination' });
            }
          }
        } else if (cmd.kind === 'bounce') bounced.push(cmd);
        else if (cmd.kind === 'wake-at') wake = cmd.at;
      }
      // Outcomes were recorded: ask again at the same time (bounces, completion, retries).
      if (dispatched) continue;
      if (wake === undefined) break;
      now = wake;
    }
    expect(scheduler.size).toBe(0);
    expect(attemptsAtDown).toBe(4); // at 0, 5, 15 and 35 minutes; the hour is up before the next
    expect(bounced.map((b) => b.recipients.map((r) => [r.recipient, r.reason, r.reply?.enhanced]))).toEqual([
      [['eve@gone.example', 'failed', '5.1.10']],
      [['dave@down.example', 'expired', '4.4.1']],
    ]);

    const sender = 'alice@example.test';
    const expired = bounced[1]?.recipients[0];
    expect(shouldNotify({ sender, action: 'failed' })).toBe(true);
    expect(shouldNotify({ sender: '', action: 'failed' })).toBe(false);
    const dsn = new TextDecoder().decode(
      buildDsn({
        reportingMta: 'mail.example.test',
        sender,
        recipients: [
          {
            finalRecipient: expired?.recipient ?? '',
            action: 'failed',
            status: expired?.reply?.enhanced ?? '4.4.7',
            diagnosticCode: expired?.reply ? `${expired.reply.code} ${expired.reply.enhanced} ${expired.reply.text}` : undefined,
          },
        ],
        originalMessage: { header: new TextEncoder().encode('Subject: hello\r\n') },
        now: new Date(now),
        messageId: 'bounce.Q1@mail.example.test',
      }),
    );
    expect(dsn).toContain('Final-Recipient: rfc822; dave@down.example\r\nAction: failed\r\nStatus: 4.4.1\r\n');
    expect(dsn).toContain('Diagnostic-Code: smtp; 421 4.4.1 connect to mx.down.example[192.0.2.9]:25:');
  });
});
