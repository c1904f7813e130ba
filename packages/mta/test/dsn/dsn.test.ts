import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDsn, MtaUsageError, shouldNotify, type DsnOptions } from '@mailstack/mta';

const enc = new TextEncoder();
const dec = new TextDecoder();

const original = {
  header: enc.encode('From: Alice <alice@example.test>\r\nTo: bob@remote.example\r\nSubject: Lunch?\r\nMessage-ID: <m1@example.test>\r\n\r\n'),
  body: enc.encode('Shall we meet at noon?\r\n'),
};

const failure: DsnOptions = {
  reportingMta: 'mail.example.test',
  sender: 'alice@example.test',
  originalEnvelopeId: 'QQ314159',
  arrivalDate: new Date(Date.UTC(2026, 10, 26, 9, 0, 0)),
  queueId: '01JDQ4ZK3M7Y',
  recipients: [
    {
      finalRecipient: 'bob@remote.example',
      originalRecipient: 'Bob@Remote.Example',
      action: 'failed',
      status: '5.1.1',
      remoteMta: 'mx1.remote.example',
      diagnosticCode: '550 5.1.1 <bob@remote.example>: Recipient address rejected: User unknown in virtual mailbox table',
      lastAttempt: new Date(Date.UTC(2026, 10, 26, 9, 0, 5)),
    },
    { finalRecipient: 'carol@nullmx.example', action: 'failed', status: '5.1.10', diagnosticCode: '556 5.1.10 Domain nullmx.example does not accept mail (nullMX)' },
  ],
  originalMessage: original,
  now: new Date(Date.UTC(2026, 10, 26, 9, 0, 6)),
  messageId: '20261126090006.01JDQ4ZK3M7Y@mail.example.test',
};

interface PyReport {
  type: string;
  reportType: string;
  headers: Record<string, string>;
  parts: string[];
  text: string;
  status: Array<Record<string, string>>;
  returned: { subject?: string; body?: string; text?: string };
  defects: number;
}

// Python's email package (policy=default) is the independent parser: it must see a well-formed
// multipart/report with a parsed delivery-status and the returned message. One Python process
// serves the whole file (one base64 message per line in, one JSON line out): starting Python
// per message costs more than everything else here.
const SCRIPT = String.raw`
import sys, json, email, base64
from email import policy
for line in sys.stdin:
    msg = email.message_from_bytes(base64.b64decode(line), policy=policy.default)
    parts = list(msg.iter_parts())
    status = [dict(block.items()) for block in parts[1].get_payload()]
    third = parts[2]
    if third.get_content_type() == 'message/rfc822':
        inner = third.get_payload(0)
        returned = {'subject': str(inner['subject']), 'body': inner.get_payload(decode=True).decode('utf-8').replace('\r\n', '\n')}
    else:
        returned = {'text': third.get_content().replace('\r\n', '\n')}
    defects = len(msg.defects) + sum(len(p.defects) for p in msg.walk())
    print(json.dumps({'type': msg.get_content_type(), 'reportType': msg.get_param('report-type'),
      'headers': {k: str(v) for k, v in msg.items()}, 'parts': [p.get_content_type() for p in parts],
      'text': parts[0].get_content().replace('\r\n', '\n'), 'status': status, 'returned': returned, 'defects': defects}), flush=True)
`;

let python: ChildProcessWithoutNullStreams;
let lines: AsyncIterator<string>;
beforeAll(() => {
  python = spawn('python3', ['-c', SCRIPT]);
  lines = createInterface({ input: python.stdout })[Symbol.asyncIterator]();
});
afterAll(() => {
  python.stdin.end();
});

async function parseWithPython(bytes: Uint8Array): Promise<PyReport> {
  python.stdin.write(`${Buffer.from(bytes).toString('base64')}\n`);
  const line = await lines.next();
  if (line.done) throw new Error('python3 exited or is missing (apt-get install python3)');
  return JSON.parse(line.value) as PyReport;
}

describe('buildDsn (RFC 3464)', () => {
  it('builds a failure report that Python email parses field by field', async () => {
    const bytes = buildDsn(failure);
    const text = dec.decode(bytes);
    expect(/(?<!\r)\n/.test(text)).toBe(false);
    expect(text.startsWith('From: MAILER-DAEMON@mail.example.test (Mail Delivery System)\r\nTo: <alice@example.test>\r\n')).toBe(true);
    for (const line of text.split('\r\n').slice(0, 12)) expect(line.length).toBeLessThanOrEqual(78);
    const py = await parseWithPython(bytes);
    expect(py.defects).toBe(0);
    expect(py.type).toBe('multipart/report');
    expect(py.reportType).toBe('delivery-status');
    expect(py.parts).toEqual(['text/plain', 'message/delivery-status', 'message/rfc822']);
    expect(py.headers).toMatchObject({
      From: 'MAILER-DAEMON@mail.example.test',
      To: 'alice@example.test',
      Subject: 'Undelivered Mail Returned to Sender',
      Date: 'Thu, 26 Nov 2026 09:00:06 +0000',
      'Message-ID': '<20261126090006.01JDQ4ZK3M7Y@mail.example.test>',
      'Auto-Submitted': 'auto-replied',
    });
    expect(py.status).toEqual([
      {
        'Original-Envelope-Id': 'QQ314159',
        'Reporting-MTA': 'dns; mail.example.test',
        'X-Mailstack-Queue-ID': '01JDQ4ZK3M7Y',
        'Arrival-Date': 'Thu, 26 Nov 2026 09:00:00 +0000',
      },
      {
        'Original-Recipient': 'rfc822;Bob@Remote.Example',
        'Final-Recipient': 'rfc822; bob@remote.example',
        Action: 'failed',
        Status: '5.1.1',
        'Remote-MTA': 'dns; mx1.remote.example',
        'Diagnostic-Code':
          'smtp; 550 5.1.1 <bob@remote.example>: Recipient address rejected: User unknown in virtual mailbox table',
        'Last-Attempt-Date': 'Thu, 26 Nov 2026 09:00:05 +0000',
      },
      {
        'Final-Recipient': 'rfc822; carol@nullmx.example',
        Action: 'failed',
        Status: '5.1.10',
        'Diagnostic-Code': 'smtp; 556 5.1.10 Domain nullmx.example does not accept mail (nullMX)',
      },
    ]);
    expect(py.returned).toEqual({ subject: 'Lunch?', body: 'Shall we meet at noon?\n' });
    expect(py.text).toContain('This is the mail system at host mail.example.test.');
    expect(py.text).toContain("I'm sorry to have to inform you that your message could not");
    expect(py.text).toContain('<bob@remote.example>: host mx1.remote.example said: 550 5.1.1\n    <bob@remote.example>:');
    expect(py.text).toContain('<carol@nullmx.example>: 556 5.1.10 Domain nullmx.example does not accept\n    mail (nullMX)\n');
    for (const line of py.text.split('\n')) expect(line.length).toBeLessThanOrEqual(76);
  });

  it('returns only the header with RET=HDRS or a body over the limit (text/rfc822-headers)', async () => {
    for (const options of [{ ...failure, ret: 'HDRS' as const }, { ...failure, maxReturnedBodyBytes: 10 }, { ...failure, originalMessage: { header: original.header } }]) {
      const py = await parseWithPython(buildDsn(options));
      expect(py.parts).toEqual(['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
      expect(py.returned.text).toContain('Subject: Lunch?');
      expect(py.returned.text).not.toContain('noon');
    }
  });

  it('writes a delay warning with Will-Retry-Until and Postfix wording', async () => {
    const py = await parseWithPython(
      buildDsn({
        ...failure,
        originalEnvelopeId: undefined,
        recipients: [
          {
            finalRecipient: 'bob@remote.example',
            action: 'delayed',
            status: '4.4.1',
            diagnosticCode: '421 4.4.1 connection timed out',
            willRetryUntil: new Date(Date.UTC(2026, 11, 1, 9, 0, 0)),
          },
        ],
        now: new Date(Date.UTC(2026, 10, 26, 13, 0, 0)),
      }),
    );
    expect(py.headers.Subject).toBe('Delayed Mail (still being retried)');
    expect(py.status[0]).not.toHaveProperty('Original-Envelope-Id');
    expect(py.status[1]).toMatchObject({ Action: 'delayed', Status: '4.4.1', 'Will-Retry-Until': 'Tue, 1 Dec 2026 09:00:00 +0000' });
    expect(py.text).toContain('# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #');
    expect(py.text).toContain('Your message could not be delivered for 4 hours.\nIt will be retried until it is 5 days old.');
  });

  it('writes a success report', async () => {
    const py = await parseWithPython(
      buildDsn({ ...failure, recipients: [{ finalRecipient: 'bob@example.test', action: 'delivered', status: '2.0.0' }] }),
    );
    expect(py.headers.Subject).toBe('Successful Mail Delivery Report');
    expect(py.status[1]).toMatchObject({ Action: 'delivered', Status: '2.0.0' });
    expect(py.text).toContain('<bob@example.test>: delivery via local mailbox: delivered');
  });

  it('normalises LF line ends of the returned message and marks 8-bit content', async () => {
    const bytes = buildDsn({
      ...failure,
      originalMessage: { header: enc.encode('Subject: caf\u00e9\n\n'), body: enc.encode('na\u00efve\nline two\n') },
    });
    const text = dec.decode(bytes);
    expect(/(?<!\r)\n/.test(text)).toBe(false);
    expect(text).toContain('Content-Transfer-Encoding: 8bit\r\n');
    expect(text).toContain('Subject: caf\u00e9\r\n\r\nna\u00efve\r\nline two\r\n\r\n--');
    expect((await parseWithPython(bytes)).returned.body).toBe('na\u00efve\nline two\n');
  });

  it('keeps control characters out of the report fields', async () => {
    const bytes = buildDsn({
      ...failure,
      recipients: [{ finalRecipient: 'bob@remote.example', action: 'failed', status: '5.0.0', diagnosticCode: '550 no\r\nX-Evil: 1' }],
    });
    const py = await parseWithPython(bytes);
    expect(py.status[1]?.['Diagnostic-Code']).toBe('smtp; 550 no X-Evil: 1');
    expect(py.status[1]).not.toHaveProperty('X-Evil');
  });

  it('any peer text keeps every line within 998 characters, CRLF only, ASCII in the report', async () => {
    const peerText = fc.string({ maxLength: 80, unit: fc.constantFrom('a', ' ', '\r', '\n', '\t', '\u0000', '\u00e9', 'x'.repeat(100)) });
    fc.assert(
      fc.property(peerText, peerText, (diagnosticCode, remoteMta) => {
        const text = dec.decode(
          buildDsn({ ...failure, recipients: [{ finalRecipient: 'bob@remote.example', action: 'failed', status: '5.0.0', diagnosticCode, remoteMta }] }),
        );
        expect(/\r(?!\n)|(?<!\r)\n/.test(text)).toBe(false);
        for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
        const report = text.slice(text.indexOf('Content-Type: message/delivery-status'), text.indexOf('Content-Description: Undelivered'));
        expect(/[^\x20-\x7e\r\n]/.test(report)).toBe(false);
      }),
      { numRuns: 100 },
    );
    const hostile = await parseWithPython(
      buildDsn({ ...failure, recipients: [{ finalRecipient: 'bob@remote.example', action: 'failed', status: '5.0.0', diagnosticCode: `550 ${'y'.repeat(5000)}\r\n\u00e9` }] }),
    );
    expect(hostile.defects).toBe(0);
    expect(hostile.status[1]?.['Diagnostic-Code']).toBe(`smtp; 550 ${'y'.repeat(5000)}`.slice(0, 906));
  });

  it('refuses to notify the null sender, and an empty recipient list', () => {
    expect(() => buildDsn({ ...failure, sender: '' })).toThrow(MtaUsageError);
    expect(() => buildDsn({ ...failure, recipients: [] })).toThrow(MtaUsageError);
  });
});

describe('shouldNotify (RFC 3461 §4.1, RFC 5321 §6.1)', () => {
  it.each([
    [undefined, 'failed', true],
    [undefined, 'delayed', true],
    [undefined, 'delivered', false],
    [['NEVER'], 'failed', false],
    [['SUCCESS'], 'failed', false],
    [['SUCCESS'], 'delivered', true],
    [['SUCCESS'], 'relayed', true],
    [['SUCCESS'], 'expanded', true],
    [['FAILURE'], 'failed', true],
    [['FAILURE'], 'delayed', false],
    [['FAILURE', 'DELAY'], 'delayed', true],
  ] as const)('NOTIFY=%j, %s → %s', (notify, action, expected) => {
    expect(shouldNotify({ sender: 'a@x.example', action, ...(notify ? { notify } : {}) })).toBe(expected);
  });

  it('never for the null reverse-path', () => {
    expect(shouldNotify({ sender: '', action: 'failed' })).toBe(false);
    expect(shouldNotify({ sender: '', action: 'delivered', notify: ['SUCCESS'] })).toBe(false);
  });
});
