// The POP3 login policy as pure functions (no sockets: tests cannot connect from a non-loopback
// address): plaintext USER/PASS and PLAIN/LOGIN only under TLS, from loopback, or with
// allowPlaintextAuth (RFC 2595 §3.1, SPEC.md §2); mechanisms the user source cannot serve are
// never offered.
import { describe, expect, it } from 'vitest';
import type { Pop3ServerOptions, Pop3UserSource } from 'mailstack';
import { plaintextAllowed, pop3Mechanisms } from '../../src/pop3/auth.js';

const users: Pop3UserSource = {
  verifyPassword: async () => false,
  getCramSecret: async () => undefined,
  getScramCredentials: async () => undefined,
  find: async () => undefined,
  verifyApop: async () => false,
};
const base: Pop3ServerOptions = { hostname: 'pop.example.test', users };

describe('POP3 login policy', () => {
  it('a remote client without TLS gets no USER and no PLAIN/LOGIN', () => {
    const remote = { tls: false, loopback: false };
    expect(plaintextAllowed(base, remote)).toBe(false);
    expect(pop3Mechanisms(base, remote)).toEqual(['CRAM-MD5', 'SCRAM-SHA-256']);
  });

  it('TLS, loopback, or allowPlaintextAuth open them', () => {
    for (const [options, at] of [
      [base, { tls: true, loopback: false }],
      [base, { tls: false, loopback: true }],
      [{ ...base, allowPlaintextAuth: true }, { tls: false, loopback: false }],
    ] as const) {
      expect(plaintextAllowed(options, at)).toBe(true);
      expect(pop3Mechanisms(options, at)).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256']);
    }
  });

  it('a user source without CRAM/SCRAM lookups is offered only what it can check', () => {
    const plainOnly: Pop3UserSource = { verifyPassword: async () => false, find: async () => undefined, verifyApop: async () => false };
    expect(pop3Mechanisms({ ...base, users: plainOnly }, { tls: true, loopback: false })).toEqual(['PLAIN', 'LOGIN']);
    expect(pop3Mechanisms({ ...base, mechanisms: ['SCRAM-SHA-256'] }, { tls: true, loopback: false })).toEqual(['SCRAM-SHA-256']);
  });
});
