import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AliasExpander, parseAliases, type AliasExpanderOptions } from '@mailstack/mta';

const USERS = new Set(['alice', 'bob', 'carol', 'root']);

function expander(aliases: string, extra: Partial<AliasExpanderOptions> = {}): AliasExpander {
  return new AliasExpander({
    aliases: parseAliases(aliases, 'aliases'),
    isLocalDomain: (d) => d === 'example.test' || d === 'mail.example.test',
    isLocalUser: (n) => USERS.has(n),
    ...extra,
  });
}

describe('AliasExpander.expandRecipient', () => {
  it('returns the mailbox of a plain user, and a remote address untouched', async () => {
    const x = expander('');
    expect(await x.expandRecipient('Alice@Example.TEST')).toEqual({
      targets: [{ kind: 'mailbox', user: 'alice' }],
      failures: [],
    });
    expect(await x.expandRecipient('Bob@elsewhere.example')).toEqual({
      targets: [{ kind: 'remote', address: 'Bob@elsewhere.example' }],
      failures: [],
    });
  });

  it('expands nested aliases to mailboxes, remote addresses, pipes and files', async () => {
    const x = expander(
      'postmaster: root\nstaff: alice, team\nteam: bob, dave@remote.example, "|/bin/archive", /var/mail/log\n',
    );
    const result = await x.expandRecipient('staff@example.test');
    expect(result.failures).toEqual([]);
    expect(result.targets).toEqual([
      { kind: 'mailbox', user: 'alice' },
      { kind: 'mailbox', user: 'bob' },
      { kind: 'remote', address: 'dave@remote.example' },
      { kind: 'pipe', command: '/bin/archive', alias: 'team' },
      { kind: 'file', path: '/var/mail/log', alias: 'team' },
    ]);
    expect((await x.expandRecipient('postmaster')).targets).toEqual([{ kind: 'mailbox', user: 'root' }]);
  });

  it('treats addresses at local domains as local names', async () => {
    const x = expander('a: b@mail.example.test\nb: carol@EXAMPLE.test\n');
    expect((await x.expandRecipient('a@example.test')).targets).toEqual([{ kind: 'mailbox', user: 'carol' }]);
  });

  it('handles +extensions: exact alias first, then the base name, extension carried', async () => {
    const x = expander('alice+lists: bob\nsales: carol\n');
    expect((await x.expandRecipient('alice+lists@example.test')).targets).toEqual([{ kind: 'mailbox', user: 'bob' }]);
    expect((await x.expandRecipient('"Alice+Lists"@example.test')).targets).toEqual([{ kind: 'mailbox', user: 'bob' }]);
    expect((await x.expandRecipient('alice+other@example.test')).targets).toEqual([
      { kind: 'mailbox', user: 'alice', extension: 'other' },
    ]);
    expect((await x.expandRecipient('sales+Q3@example.test')).targets).toEqual([
      { kind: 'mailbox', user: 'carol', extension: 'Q3' },
    ]);
    const plain = expander('', { recipientDelimiter: '' });
    expect((await plain.expandRecipient('alice+x@example.test')).failures).toEqual([
      { address: 'alice+x@example.test', status: '5.1.1', text: 'user unknown' },
    ]);
  });

  it('delivers a self-reference to the mailbox (local(8)), and fails a loop of non-users', async () => {
    const self = expander('alice: alice, bob\n');
    expect((await self.expandRecipient('alice@example.test')).targets).toEqual([
      { kind: 'mailbox', user: 'alice' },
      { kind: 'mailbox', user: 'bob' },
    ]);
    const loop = expander('x: y\ny: z\nz: x\n');
    const result = await loop.expandRecipient('x@example.test');
    expect(result.targets).toEqual([]);
    expect(result.failures).toEqual([{ address: 'x', status: '5.4.6', text: 'alias loop through "x"' }]);
  });

  it('enforces the depth limit', async () => {
    const chain = Array.from({ length: 30 }, (_, i) => `a${i}: a${i + 1}`).join('\n') + '\na30: alice\n';
    const result = await expander(chain, { maxDepth: 10 }).expandRecipient('a0@example.test');
    expect(result.targets).toEqual([]);
    expect(result.failures).toEqual([{ address: 'a10', status: '5.4.6', text: 'alias nesting deeper than 10' }]);
    expect((await expander(chain).expandRecipient('a0@example.test')).failures[0]?.status).toBe('5.4.6');
    expect((await expander(chain, { maxDepth: 40 }).expandRecipient('a0@example.test')).targets).toEqual([
      { kind: 'mailbox', user: 'alice' },
    ]);
  });

  it('reports unknown local names and unknown \\user with 5.1.1', async () => {
    const result = await expander('list: alice, nobody, \\ghost\n').expandRecipient('list@example.test');
    expect(result.targets).toEqual([{ kind: 'mailbox', user: 'alice' }]);
    expect(result.failures.map((f) => [f.address, f.status])).toEqual([
      ['nobody', '5.1.1'],
      ['\\ghost', '5.1.1'],
    ]);
  });

  it('sends errors of a list to its owner- alias', async () => {
    const x = expander('list: alice, sub\nowner-list: carol\nsub: bob, x@remote.example\n');
    const result = await x.expandRecipient('list@example.test');
    expect(result.targets).toEqual([
      { kind: 'mailbox', user: 'alice', errorsTo: 'owner-list@example.test' },
      { kind: 'mailbox', user: 'bob', errorsTo: 'owner-list@example.test' },
      { kind: 'remote', address: 'x@remote.example', errorsTo: 'owner-list@example.test' },
    ]);
  });

  it('reads :include: files through the injected reader, refusing commands there by default', async () => {
    const files: Record<string, string> = {
      '/lists/a': 'alice, bob\n:include:/lists/b\n"|/bin/evil"\n',
      '/lists/b': 'carol\n:include:/lists/a\n',
    };
    const readInclude = async (path: string): Promise<string> => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT ${path}`);
      return text;
    };
    const x = expander('list: :include:/lists/a\nbroken: :include:/lists/missing\n', { readInclude });
    const result = await x.expandRecipient('list@example.test');
    expect(result.targets.map((t) => (t.kind === 'mailbox' ? t.user : t.kind))).toEqual(['alice', 'bob', 'carol']);
    expect(result.failures).toEqual([
      { address: '|/bin/evil', status: '5.7.1', text: 'mail to command is restricted in :include: files' },
    ]);
    const allowed = expander('list: :include:/lists/a\n', { readInclude, allowIncludeCommands: true });
    expect((await allowed.expandRecipient('list@example.test')).targets).toContainEqual({
      kind: 'pipe',
      command: '/bin/evil',
      alias: 'list',
    });
    const broken = await x.expandRecipient('broken@example.test');
    expect(broken.failures).toEqual([
      { address: ':include:/lists/missing', status: '4.3.0', text: 'cannot read include file: ENOENT /lists/missing' },
    ]);
    const noReader = await expander('list: :include:/lists/a\n').expandRecipient('list@example.test');
    expect(noReader.failures[0]?.status).toBe('5.3.0');
  });

  it('terminates on random alias graphs, each alias expanded once, every target final', async () => {
    const names = ['alice', 'bob', 'n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
    const graph = fc.dictionary(fc.constantFrom(...names), fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 5 }));
    await fc.assert(
      fc.asyncProperty(graph, fc.constantFrom(...names), async (edges, start) => {
        const text = Object.entries(edges).map(([k, v]) => `${k}: ${v.join(', ')}`).join('\n');
        const result = await expander(text).expandRecipient(`${start}@example.test`);
        const users = result.targets.map((t) => (t.kind === 'mailbox' ? t.user : ''));
        expect(users.every((u) => USERS.has(u))).toBe(true);
        expect(new Set(users).size).toBe(users.length);
        for (const f of result.failures) expect(['5.1.1', '5.4.6']).toContain(f.status);
        expect(result.targets.length + result.failures.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
