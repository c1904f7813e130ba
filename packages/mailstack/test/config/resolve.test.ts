import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from 'mailstack';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailstack-config-'));
  await writeFile(join(dir, 'flag.yaml'), 'hostname: flag.test\n');
  await writeFile(join(dir, 'env.yaml'), 'hostname: env.test\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('resolveConfig (SPEC.md §1: -c, $MAILSTACK_CONFIG, ./mailstack.yaml, default)', () => {
  it('prefers -c over $MAILSTACK_CONFIG', async () => {
    const config = await resolveConfig({ flagPath: 'flag.yaml', env: { MAILSTACK_CONFIG: join(dir, 'env.yaml') }, cwd: dir, hostname: 'h' });
    expect(config.hostname).toBe('flag.test');
    expect(config.source).toBe(join(dir, 'flag.yaml'));
  });

  it('uses $MAILSTACK_CONFIG without -c', async () => {
    const config = await resolveConfig({ env: { MAILSTACK_CONFIG: join(dir, 'env.yaml') }, cwd: dir, hostname: 'h' });
    expect(config.hostname).toBe('env.test');
  });

  it('uses ./mailstack.yaml next, then the embedded default', async () => {
    const sub = join(dir, 'withfile');
    await rm(sub, { recursive: true, force: true });
    await mkdir(sub);
    const none = await resolveConfig({ env: {}, cwd: sub, hostname: 'h' });
    expect(none.source).toBeUndefined();
    await writeFile(join(sub, 'mailstack.yaml'), 'hostname: local.test\n');
    const local = await resolveConfig({ env: {}, cwd: sub, hostname: 'h' });
    expect(local.hostname).toBe('local.test');
    expect(local.dataDir).toBe(join(sub, 'mailstack-data'));
  });

  it('the embedded default (SPEC.md §3)', async () => {
    const config = await resolveConfig({ env: {}, cwd: '/srv/empty-nowhere', hostname: 'Mail.Box' });
    expect(config).toMatchObject({
      source: undefined,
      hostname: 'mail.box',
      domains: ['localhost', 'mail.box'],
      dataDir: '/srv/empty-nowhere/mailstack-data',
      users: '/srv/empty-nowhere/mailstack-data/users',
      tls: undefined,
      allowPlaintextAuth: false,
    });
    expect(Object.keys(config.listen).sort()).toEqual(['imap', 'imaps', 'pop3', 'pop3s', 'smtp', 'submission', 'submissions']);
    expect(Object.values(config.listen).flat().every((a) => a.host === '127.0.0.1')).toBe(true);
    expect(config.listen.submissions).toEqual([{ host: '127.0.0.1', port: 2465 }]);
    expect(config.mynetworks.contains('::ffff:127.0.0.1')).toBe(true);
    expect(config.mynetworks.contains('192.0.2.1')).toBe(false);
  });

  it('a missing -c file is an io error naming it', async () => {
    const error = await resolveConfig({ flagPath: 'missing.yaml', cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'io', file: join(dir, 'missing.yaml') });
    expect((error as Error).message).toMatch(new RegExp(`^${join(dir, 'missing.yaml')}: cannot read config file`));
  });

  it('an invalid ./mailstack.yaml is reported, not silently replaced by the default', async () => {
    const sub = join(dir, 'broken');
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'mailstack.yaml'), 'hostnme: x\n');
    await expect(resolveConfig({ env: {}, cwd: sub })).rejects.toMatchObject({ code: 'unknown-key', line: 1 });
  });
});
