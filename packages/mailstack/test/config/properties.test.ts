import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, UsersFile, parseConfig } from 'mailstack';

// Text biased toward the config's own vocabulary and YAML's syntax.
const yamlish = fc
  .array(
    fc.constantFrom('hostname', 'listen', 'smtp', 'limits', 'messageSize', 'mynetworks', 'tls', 'queue', 'retry', ': ', '\n', '  ', '- ', '[', ']', '{', '}', ',', '"', '127.0.0.1:25', '::1/128', '5m', 'null', 'true', '42', '&a', '*a', '#'),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof ConfigError) return 'config-error';
    throw error;
  }
}

describe('garbage becomes a ConfigError, never another exception', () => {
  it('config text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish), (text) => {
        expect(['ok', 'config-error']).toContain(outcome(() => parseConfig(text, { file: '/c/m.yaml', hostname: 'h.test' })));
      }),
      { numRuns: 300 },
    );
  });

  it('users file text', () => {
    const passwdish = fc.array(fc.constantFrom('u', ':', '{PLAIN}', '{CRAM-MD5}', '{SHA512-CRYPT}$6$', '1000', '#', '\n', ' ', 'ab'), { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), passwdish), (text) => {
        expect(['ok', 'config-error']).toContain(outcome(() => UsersFile.parse(text, 'users')));
      }),
      { numRuns: 300 },
    );
  });
});
