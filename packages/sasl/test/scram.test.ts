import { describe, expect, it } from 'vitest';
import { createSaslClient, createSaslServer, deriveScramCredentials, type CredentialLookup, type SaslServerStep } from '@mailstack/sasl';
import { dec, enc, memoryLookup, roundTrip } from './helpers.js';

function challengeText(step: SaslServerStep): string {
  if (step.type !== 'challenge') throw new Error(`expected a challenge, got ${JSON.stringify(step)}`);
  return dec(step.data);
}

// RFC 7677 §3 (SHA-256) and RFC 5802 §5 (SHA-1): user "user", password "pencil".
const VECTORS = [
  {
    mechanism: 'SCRAM-SHA-256' as const,
    hash: 'SHA-256' as const,
    salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
    clientNonce: 'rOprNGfwEbeRWgbNEkqO',
    serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    proof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    verifier: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  },
  {
    mechanism: 'SCRAM-SHA-1' as const,
    hash: 'SHA-1' as const,
    salt: 'QSXCR+Q6sek8bf92',
    clientNonce: 'fyko+d2lbbFgONRv9qkxdawL',
    serverNonce: '3rfcNHYJY1ZVvWVs7j',
    proof: 'v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    verifier: 'rmF9pqV8S7suAoZWja4dJRkFsKQ=',
  },
];

for (const v of VECTORS) {
  const lookup: CredentialLookup = {
    verifyPassword: async () => false,
    getScramCredentials: async (user, hash) =>
      user === 'user' && hash === v.hash ? deriveScramCredentials('pencil', Buffer.from(v.salt, 'base64'), 4096, hash) : undefined,
  };
  const nonce = v.clientNonce + v.serverNonce;
  const serverFirst = `r=${nonce},s=${v.salt},i=4096`;
  const clientFinal = `c=biws,r=${nonce},p=${v.proof}`;

  describe(`${v.mechanism} RFC example`, () => {
    it('server reproduces the example exchange', async () => {
      const server = createSaslServer(v.mechanism, { lookup, hostname: 'h', nonce: v.serverNonce, now: 0 });
      expect(challengeText(await server.start(enc(`n,,n=user,r=${v.clientNonce}`)))).toBe(serverFirst);
      expect(challengeText(await server.step(enc(clientFinal)))).toBe(`v=${v.verifier}`);
      expect(await server.step(new Uint8Array(0))).toEqual({ type: 'success', authcid: 'user', authzid: 'user' });
    });

    it('client reproduces the example exchange and verifies the server', () => {
      const client = createSaslClient(v.mechanism, { username: 'user', password: 'pencil', nonce: v.clientNonce });
      expect(dec(client.start()!)).toBe(`n,,n=user,r=${v.clientNonce}`);
      expect(client.step(enc(serverFirst))).toEqual({ type: 'response', data: enc(clientFinal) });
      expect(client.step(enc(`v=${v.verifier}`))).toEqual({ type: 'response', data: new Uint8Array(0) });
      expect(client.finish()).toEqual({ type: 'success' });
    });

    it('client refuses success when the server signature is wrong or missing', () => {
      const wrong = createSaslClient(v.mechanism, { username: 'user', password: 'pencil', nonce: v.clientNonce });
      wrong.start();
      wrong.step(enc(serverFirst));
      expect(wrong.step(enc(`v=${Buffer.alloc(v.hash === 'SHA-1' ? 20 : 32).toString('base64')}`))).toMatchObject({ reason: 'server-unverified' });
      const silent = createSaslClient(v.mechanism, { username: 'user', password: 'pencil', nonce: v.clientNonce });
      silent.start();
      silent.step(enc(serverFirst));
      expect(silent.finish()).toMatchObject({ type: 'failure', reason: 'server-unverified' });
    });

    it('client accepts the server-final message as success data (IMAP style)', () => {
      const client = createSaslClient(v.mechanism, { username: 'user', password: 'pencil', nonce: v.clientNonce });
      client.start();
      client.step(enc(serverFirst));
      expect(client.finish(enc(`v=${v.verifier}`))).toEqual({ type: 'success' });
    });
  });
}

describe('SCRAM server checks', () => {
  const lookup = memoryLookup({ user: 'pencil', Kurt: 'k' });
  const start = async (first: string) => {
    const server = createSaslServer('SCRAM-SHA-256', { lookup, hostname: 'h', nonce: 'srv', now: 0 });
    return { server, step: await server.start(enc(first)) };
  };

  it('refuses a wrong password with the same shape as an unknown user', async () => {
    for (const [user, password] of [['user', 'wrong'], ['ghost', 'pencil']]) {
      const result = await roundTrip('SCRAM-SHA-256', lookup, { username: user!, password: password!, nonce: 'abc' });
      expect(result.server).toEqual({ type: 'failure', reason: 'invalid-credentials', detail: 'authentication failed' });
    }
  });

  it('gives an unknown user a salt and 4096 iterations too', async () => {
    const { step } = await start('n,,n=ghost,r=abc');
    expect(challengeText(step)).toMatch(/^r=abcsrv,s=[A-Za-z0-9+/]+=*,i=4096$/);
  });

  it.each([
    ['channel binding requested', 'p=tls-unique,,n=user,r=abc', 'unsupported'],
    ['mandatory extension', 'n,,m=x,n=user,r=abc', 'unsupported'],
    ['bad cbind flag', 'x,,n=user,r=abc', 'malformed'],
    ['missing nonce', 'n,,n=user', 'malformed'],
    ['bad saslname escape', 'n,,n=us=er,r=abc', 'malformed'],
    ['no gs2 header', 'n=user,r=abc', 'malformed'],
  ])('fails on client-first with %s', async (_name, first, reason) => {
    expect((await start(first)).step).toMatchObject({ type: 'failure', reason });
  });

  it('fails when the final nonce or channel binding differs', async () => {
    for (const final of ['c=biws,r=abcXXX,p=AAAA', 'c=eSws,r=abcsrv,p=AAAA', 'c=biws,r=abcsrv', 'garbage']) {
      const { server } = await start('n,,n=user,r=abc');
      expect(await server.step(enc(final))).toMatchObject({ type: 'failure', reason: 'malformed' });
    }
  });

  it('honours authzid through the lookup and decodes =2C/=3D', async () => {
    const ok = await roundTrip('SCRAM-SHA-256', lookup, { username: 'Kurt', password: 'k', authzid: 'Ursel', nonce: 'n1' });
    expect(ok.server).toEqual({ type: 'success', authcid: 'Kurt', authzid: 'Ursel' });
    const refused = await roundTrip('SCRAM-SHA-256', lookup, { username: 'user', password: 'pencil', authzid: 'a,b=c', nonce: 'n1' });
    expect(refused.server).toMatchObject({ type: 'failure', reason: 'unauthorized-authzid', detail: 'user may not act as a,b=c' });
  });

  it('client refuses a low iteration count and a nonce that does not extend its own', () => {
    const low = createSaslClient('SCRAM-SHA-256', { username: 'u', password: 'p', nonce: 'abc' });
    low.start();
    expect(low.step(enc('r=abcdef,s=QSXCR+Q6sek8bf92,i=1000'))).toMatchObject({ reason: 'malformed' });
    const foreign = createSaslClient('SCRAM-SHA-256', { username: 'u', password: 'p', nonce: 'abc' });
    foreign.start();
    expect(foreign.step(enc('r=xyz,s=QSXCR+Q6sek8bf92,i=4096'))).toMatchObject({ reason: 'malformed' });
  });

  it('client reports a server error e=', () => {
    const client = createSaslClient('SCRAM-SHA-256', { username: 'user', password: 'pencil', nonce: 'abc' });
    client.start();
    client.step(enc('r=abcdef,s=QSXCR+Q6sek8bf92,i=4096'));
    expect(client.step(enc('e=invalid-proof'))).toMatchObject({ reason: 'invalid-credentials', detail: 'SCRAM: server error invalid-proof' });
  });

  it('rejects a nonce with a comma as caller misuse', () => {
    expect(() => createSaslServer('SCRAM-SHA-256', { lookup, hostname: 'h', nonce: 'a,b', now: 0 })).toThrow(/nonce/);
    expect(() => createSaslClient('SCRAM-SHA-1', { username: 'u', password: 'p', nonce: '' })).toThrow(/nonce/);
  });
});
