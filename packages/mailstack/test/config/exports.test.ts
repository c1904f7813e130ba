import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG_NAME,
  DEFAULT_LISTEN,
  DEFAULT_MYNETWORKS,
  DEFAULT_QUEUE,
  DEFAULT_TIMEOUTS,
  LISTENER_NAMES,
  TLS_MIN_VERSION,
  checkUserEntry,
  defaultConfig,
  isHostName,
  loadConfigFile,
  shaCryptSalt,
} from 'mailstack';

describe('small exports', () => {
  it('constants agree with SPEC.md §2-§3', () => {
    expect(DEFAULT_CONFIG_NAME).toBe('mailstack.yaml');
    expect([...LISTENER_NAMES].sort()).toEqual(Object.keys(DEFAULT_LISTEN).sort());
    expect(DEFAULT_LISTEN.imaps).toEqual([{ host: '127.0.0.1', port: 2993 }]);
    expect(DEFAULT_MYNETWORKS).toEqual(['127.0.0.0/8', '::1/128']);
    expect(DEFAULT_QUEUE.retry.lifetimeMs).toBe(5 * 86_400_000);
    expect(DEFAULT_TIMEOUTS.smtpMs).toBe(300_000);
    expect(TLS_MIN_VERSION).toBe('TLSv1.2');
  });

  it('defaultConfig resolves against the given folder', () => {
    const config = defaultConfig({ baseDir: '/srv/m', hostname: 'H.test' });
    expect([config.dataDir, config.users, config.hostname]).toEqual(['/srv/m/mailstack-data', '/srv/m/mailstack-data/users', 'h.test']);
  });

  it('loadConfigFile reads one file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailstack-load-'));
    try {
      await writeFile(join(dir, 'c.yaml'), 'hostname: one.test\n');
      expect((await loadConfigFile(join(dir, 'c.yaml'), 'ignored')).hostname).toBe('one.test');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('isHostName, checkUserEntry, shaCryptSalt', () => {
    expect(isHostName('mail.example.test')).toBe(true);
    expect(isHostName('-bad.test')).toBe(false);
    expect(checkUserEntry({ name: 'u', secret: '{PLAIN}x', uid: 'x', gid: '', gecos: '', home: '', shell: '', extra: '' })).toBe('user u: uid must be a number');
    expect(shaCryptSalt(Uint8Array.from({ length: 16 }, (_, i) => i))).toBe('./0123456789ABCD');
  });
});
