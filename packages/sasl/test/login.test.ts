import { describe, expect, it } from 'vitest';
import { createSaslClient, createSaslServer } from '@mailstack/sasl';
import { CONTEXT_DEFAULTS, dec, enc, memoryLookup, roundTrip } from './helpers.js';

const lookup = memoryLookup({ tim: 'tanstaaftanstaaf' });
const server = () => createSaslServer('LOGIN', { ...CONTEXT_DEFAULTS, lookup });

describe('LOGIN (draft-murchison-sasl-login)', () => {
  it('prompts "Username:" then "Password:" and succeeds', async () => {
    const exchange = server();
    const first = await exchange.start();
    expect(first.type === 'challenge' && dec(first.data)).toBe('Username:');
    const second = await exchange.step(enc('tim'));
    expect(second.type === 'challenge' && dec(second.data)).toBe('Password:');
    expect(await exchange.step(enc('tanstaaftanstaaf'))).toEqual({ type: 'success', authcid: 'tim', authzid: 'tim' });
  });

  it('takes the user name as initial response and asks only for the password', async () => {
    const exchange = server();
    const first = await exchange.start(enc('tim'));
    expect(first.type === 'challenge' && dec(first.data)).toBe('Password:');
    expect(await exchange.step(enc('wrong'))).toMatchObject({ type: 'failure', reason: 'invalid-credentials' });
  });

  it('fails on an empty user name', async () => {
    const exchange = server();
    await exchange.start();
    await exchange.step(new Uint8Array(0));
    expect(await exchange.step(enc('x'))).toMatchObject({ type: 'failure', reason: 'malformed' });
  });

  it('client answers whatever the prompts say, and fails on a third challenge', () => {
    const client = createSaslClient('LOGIN', { username: 'tim', password: 'pw' });
    expect(client.start()).toBeUndefined();
    expect(client.step(enc('VXNlcm5hbWU6'))).toEqual({ type: 'response', data: enc('tim') });
    expect(client.step(enc('User Password'))).toEqual({ type: 'response', data: enc('pw') });
    expect(client.step(enc('again?'))).toMatchObject({ type: 'failure', reason: 'malformed' });
  });

  it('round-trips client to server', async () => {
    const result = await roundTrip('LOGIN', lookup, { username: 'tim', password: 'tanstaaftanstaaf' });
    expect(result.server).toEqual({ type: 'success', authcid: 'tim', authzid: 'tim' });
    expect(result.clientVerdict).toBe('success');
  });
});
