import { describe, expect, it } from 'vitest';
import { createSaslClient, createSaslServer } from '@mailstack/sasl';
import { CONTEXT_DEFAULTS, dec, enc, memoryLookup, roundTrip } from './helpers.js';

const lookup = memoryLookup({ tim: 'tanstaaftanstaaf', Kurt: 'xipj3plmq' });
const server = () => createSaslServer('PLAIN', { ...CONTEXT_DEFAULTS, lookup });

describe('PLAIN (RFC 4616)', () => {
  it('accepts the §4 example without authzid', async () => {
    expect(await server().start(enc('\0tim\0tanstaaftanstaaf'))).toEqual({ type: 'success', authcid: 'tim', authzid: 'tim' });
  });

  it('accepts the §4 example "Ursel" NUL "Kurt" NUL "xipj3plmq" when Kurt may act as Ursel', async () => {
    expect(await server().start(enc('Ursel\0Kurt\0xipj3plmq'))).toEqual({ type: 'success', authcid: 'Kurt', authzid: 'Ursel' });
  });

  it('refuses an authzid the lookup does not allow, after a correct password', async () => {
    expect(await server().start(enc('Kurt\0tim\0tanstaaftanstaaf'))).toMatchObject({ type: 'failure', reason: 'unauthorized-authzid' });
  });

  it('treats an authzid equal to the authcid as none', async () => {
    expect(await server().start(enc('tim\0tim\0tanstaaftanstaaf'))).toMatchObject({ type: 'success', authzid: 'tim' });
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await server().start(enc('\0tim\0nope'));
    const unknown = await server().start(enc('\0nobody\0nope'));
    expect(wrong).toEqual({ type: 'failure', reason: 'invalid-credentials', detail: 'authentication failed' });
    expect(unknown).toEqual(wrong);
  });

  it('sends an empty challenge when there is no initial response', async () => {
    const exchange = server();
    const first = await exchange.start();
    expect(first.type === 'challenge' && first.data.length).toBe(0);
    expect(await exchange.step(enc('\0tim\0tanstaaftanstaaf'))).toMatchObject({ type: 'success' });
  });

  it.each([
    ['two fields', 'tim\0tanstaaftanstaaf'],
    ['four fields', '\0tim\0x\0y'],
    ['empty authcid', '\0\0tanstaaftanstaaf'],
    ['empty password', '\0tim\0'],
    ['control character in password', '\0tim\0a\u0007b'],
  ])('fails on malformed input: %s', async (_name, message) => {
    expect(await server().start(enc(message))).toMatchObject({ type: 'failure', reason: 'malformed' });
  });

  it('fails on invalid UTF-8', async () => {
    expect(await server().start(Uint8Array.of(0, 0x74, 0, 0xff, 0xfe))).toMatchObject({ type: 'failure', reason: 'malformed' });
  });

  it('prepares the password with SASLprep: U+00AD vanishes, U+2168 becomes "IX"', async () => {
    const prepped = memoryLookup({ tim: 'IXIX' });
    const exchange = createSaslServer('PLAIN', { ...CONTEXT_DEFAULTS, lookup: prepped });
    expect(await exchange.start(enc('\0tim\0I\u00ADX\u2168'))).toMatchObject({ type: 'success' });
  });

  it('client builds authzid NUL authcid NUL passwd', () => {
    const client = createSaslClient('PLAIN', { username: 'Kurt', password: 'xipj3plmq', authzid: 'Ursel' });
    expect(dec(client.start()!)).toBe('Ursel\0Kurt\0xipj3plmq');
    expect(client.finish()).toEqual({ type: 'success' });
  });

  it('round-trips client to server, with and without an initial response', async () => {
    for (const initial of [true, false]) {
      const result = await roundTrip('PLAIN', lookup, { username: 'tim', password: 'tanstaaftanstaaf' }, initial);
      expect(result).toEqual({ server: { type: 'success', authcid: 'tim', authzid: 'tim' }, clientVerdict: 'success' });
    }
  });

  it('throws on caller misuse: step after the end', async () => {
    const exchange = server();
    await exchange.start(enc('\0tim\0tanstaaftanstaaf'));
    await expect(exchange.step(enc('x'))).rejects.toMatchObject({ name: 'SaslError', code: 'wrong-state' });
  });
});

describe('a failing lookup', () => {
  it('rejects the step with the lookup error and ends the exchange', async () => {
    const broken = { verifyPassword: async () => Promise.reject(new Error('users file unreadable')) };
    const exchange = createSaslServer('LOGIN', { ...CONTEXT_DEFAULTS, lookup: broken });
    await exchange.start(enc('tim'));
    await expect(exchange.step(enc('pw'))).rejects.toThrow('users file unreadable');
    await expect(exchange.step(enc('pw'))).rejects.toMatchObject({ code: 'wrong-state' });
  });
});
