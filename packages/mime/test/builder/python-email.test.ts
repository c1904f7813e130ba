import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildToBytes } from '../../src/builder/build.js';
import { options } from './helpers.js';

// Python's email package (policy=default) as an independent reader of what we build.
const SCRIPT = `
import sys, json, hashlib
from email import policy
from email.parser import BytesParser
msg = BytesParser(policy=policy.default).parse(sys.stdin.buffer)
body = msg.get_body(preferencelist=('plain',))
html = msg.get_body(preferencelist=('html',))
print(json.dumps({
  'subject': str(msg['subject']),
  'from': [[a.display_name, a.addr_spec] for a in msg['from'].addresses],
  'to': [[a.display_name, a.addr_spec] for a in msg['to'].addresses],
  'text': body.get_content() if body else None,
  'html': html.get_content() if html else None,
  'attachments': [[p.get_filename(), p.get_content_type(),
                   str(p.get_content()['subject']) if p.get_content_type() == 'message/rfc822'
                   else hashlib.sha256(p.get_payload(decode=True)).hexdigest()]
                  for p in msg.iter_attachments()],
  'defects': [type(d).__name__ for p in msg.walk() for d in p.defects] + [type(d).__name__ for d in msg.defects],
}))
`;

function pythonParse(raw: Uint8Array): Record<string, unknown> {
  const result = spawnSync('python3', ['-c', SCRIPT], { input: raw, encoding: 'utf8' });
  if (result.error) throw new Error('python3 is required: apt-get install python3', { cause: result.error });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe("Python's email package reads what we build", () => {
  it('finds the same text, html, addresses and attachments, without defects', async () => {
    const pdf = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 255);
    const csv = 'a;b\nä;ö\n';
    const raw = await buildToBytes({
      from: { name: 'Müller, Jörg', address: 'joerg@example.test' },
      to: [{ name: 'Ann', address: 'ann@x.test' }, { name: '', address: 'bob@x.test' }],
      subject: 'Grüße: ein Test mit einer ziemlich langen Betreffzeile, die gefaltet werden muss',
      text: 'Hallo Ann,\n\nanbei die Dateien.\n',
      html: '<p>Hallo <b>Ann</b> <img src="cid:pic@x"></p>\n',
      attachments: [
        { filename: 'Übersicht 2026 — Quartal.pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'data.csv', contentType: 'text/csv', content: csv },
        { filename: 'pic.gif', contentType: 'image/gif', content: new Uint8Array([71, 73, 70]), contentId: 'pic@x' },
      ],
      forward: 'From: old@x.test\nSubject: =?UTF-8?Q?Alte_Gr=C3=BC=C3=9Fe?=\n\nforwarded body\n',
    }, options());
    const parsed = pythonParse(raw);
    expect(parsed).toEqual({
      subject: 'Grüße: ein Test mit einer ziemlich langen Betreffzeile, die gefaltet werden muss',
      from: [['Müller, Jörg', 'joerg@example.test']],
      to: [['Ann', 'ann@x.test'], ['', 'bob@x.test']],
      text: 'Hallo Ann,\n\nanbei die Dateien.\n',
      html: '<p>Hallo <b>Ann</b> <img src="cid:pic@x"></p>\n',
      attachments: [
        ['Übersicht 2026 — Quartal.pdf', 'application/pdf', sha(pdf)],
        ['data.csv', 'text/csv', sha(Buffer.from('a;b\r\nä;ö\r\n'))],
        [null, 'message/rfc822', 'Alte Grüße'],
      ],
      defects: [],
    });
  });
});
