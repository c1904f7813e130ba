import { describe, expect, it } from 'vitest';
import { MailError } from '@mailstack/smtp-core';
import { MtaConfigError, parseAliases, parseIncludeFile } from '@mailstack/mta';

describe('parseAliases (aliases(5) format)', () => {
  it('reads names, comments, continuation lines and every kind of value', () => {
    const table = parseAliases(
      [
        '# system aliases',
        'Postmaster: root',
        '',
        'team: alice, bob@example.org,',
        '    "|/usr/bin/vacation alice",',
        '  # a comment inside a continuation is ignored',
        '\t/var/spool/archive, :include:/etc/mail/team.list, \\carol',
        '"odd name": "Joe, Jr." <joe@example.org>',
      ].join('\n'),
      '/etc/aliases',
    );
    expect([...table.keys()]).toEqual(['postmaster', 'team', 'odd name']);
    expect(table.get('postmaster')).toMatchObject({ line: 2, targets: [{ kind: 'name', name: 'root' }] });
    expect(table.get('team')?.targets).toEqual([
      { kind: 'name', name: 'alice' },
      { kind: 'address', address: 'bob@example.org' },
      { kind: 'pipe', command: '/usr/bin/vacation alice' },
      { kind: 'file', path: '/var/spool/archive' },
      { kind: 'include', path: '/etc/mail/team.list' },
      { kind: 'mailbox', name: 'carol' },
    ]);
    expect(table.get('team')?.line).toBe(4);
    expect(table.get('odd name')?.targets).toEqual([{ kind: 'address', address: 'joe@example.org' }]);
  });

  it('accepts CRLF line ends and quoted names with ":" and "@"', () => {
    const table = parseAliases('"a:b@c": x,\r\n y\r\n', 'f');
    expect(table.get('a:b@c')?.targets).toEqual([
      { kind: 'name', name: 'x' },
      { kind: 'name', name: 'y' },
    ]);
  });

  it.each([
    ['no colon here', 'aliases:1: missing ":"'],
    ['a:', 'aliases:1: alias "a" has no value'],
    [': x', 'aliases:1: empty alias name'],
    ['  x', 'aliases:1: continuation line without a preceding alias'],
    ['a: "|cmd', 'aliases:1: unterminated double quote'],
    ['a: |', 'aliases:1: empty command after "|"'],
    ['a: :include:relative', 'aliases:1: :include: needs an absolute path'],
    ['a: b c', 'aliases:1: unexpected whitespace in "b c"'],
    ['a: x\n\nb: y\nA: z', 'aliases:4: duplicate alias "a" (first defined at line 1)'],
  ])('rejects %j with an error naming file:line', (text, message) => {
    let caught: unknown;
    try {
      parseAliases(text, 'aliases');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MtaConfigError);
    expect(caught).toBeInstanceOf(MailError);
    expect((caught as MtaConfigError).message).toContain(message);
    expect((caught as MtaConfigError).code).toBe(message.includes('duplicate') ? 'duplicate' : 'syntax');
  });

  it('reads include files: values separated by commas or lines, with comments', () => {
    expect(parseIncludeFile('# members\nalice, bob\n\ncarol@example.org\n', '/l')).toEqual([
      { kind: 'name', name: 'alice' },
      { kind: 'name', name: 'bob' },
      { kind: 'address', address: 'carol@example.org' },
    ]);
  });
});
