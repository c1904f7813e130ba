// Differential test of structure against Python's email package (python3 is on every machine):
// for each corpus message, the content types in tree-walk order (a message/rfc822 part, then its
// message, then that message's parts, as Message.walk() goes) must match, except where listed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type MimeNode } from '@mailstack/mime';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusFiles } from '../corpus/corpus.js';

const SAME_BOUNDARY = 'an inner multipart reuses its parent\'s boundary: we match innermost first, so the inner close delimiter returns to the outer one and later parts are found; Python loses them';
const MESSAGE_LEAF = 'message/delivery-status and message/external-body are leaves for us (IMAP BODYSTRUCTURE treats them as basic bodies, RFC 3501 §7.4.2); Python parses their header blocks into sub-messages';
const EXPECTED: Record<string, string> = {
  'enmime/mail--mime-bad-content-type.raw': 'Content-Type "application/pdf name=..." without ";": the parameter parser reads the type as application/pdf; Python keeps the whole string as the type',
  'enmime/mail--mime-blank-media-name.raw': 'as above, with name=""',
  'python-test_email/msg_15.txt': SAME_BOUNDARY,
  'python-test_email/msg_39.txt': SAME_BOUNDARY,
  'python-test_email/msg_16.txt': MESSAGE_LEAF,
  'python-test_email/msg_36.txt': MESSAGE_LEAF,
  'python-test_email/msg_43.txt': MESSAGE_LEAF,
  'python-test_email/msg_37.txt': 'consecutive delimiter lines: each opens a part, so empty parts (text/plain by default) appear between them; Python drops them. IMAP servers number such empty parts too',
};

const walk = (n: MimeNode): string[] => [n.contentType.mediaType, ...n.children.flatMap(walk)];

describe('differential: structure vs Python email', () => {
  it('walks the same content types, except where the table says why', () => {
    const files = corpusFiles();
    const python = JSON.parse(
      execFileSync('python3', ['-c', [
        'import email, json, os, sys',
        'print(json.dumps({f: [p.get_content_type() for p in email.message_from_bytes(open(os.path.join(sys.argv[1], f), "rb").read()).walk()] for f in sys.argv[2:]}))',
      ].join('\n'), CORPUS, ...files], { encoding: 'utf8', maxBuffer: 1 << 24 }),
    ) as Record<string, string[]>;
    const differing = files.filter((f) => JSON.stringify(walk(parse(readFileSync(join(CORPUS, f))).root)) !== JSON.stringify(python[f]));
    expect(differing).toEqual(Object.keys(EXPECTED).sort());
  });
});
