import { createHash, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSaslClient, createSaslServer, cramMd5Challenge, cramMd5Contexts, hmacMd5FromContexts, CRAM_MD5_CONTEXTS_BYTES } from '@mailstack/sasl';
import { CONTEXT_DEFAULTS, dec, enc, memoryLookup, roundTrip } from './helpers.js';

// RFC 2195 §2: the example exchange.
const RFC_CHALLENGE = '<1896.697170952@postoffice.reston.mci.net>';
const RFC_CONTEXT = { hostname: 'postoffice.reston.mci.net', nonce: '1896', now: 697170952_000 };

describe('CRAM-MD5 (RFC 2195)', () => {
  it('builds the RFC challenge from nonce, clock and host name', () => {
    expect(cramMd5Challenge('1896', 697170952_000, 'postoffice.reston.mci.net')).toBe(RFC_CHALLENGE);
  });

  for (const cramContexts of [false, true]) {
    it(`server accepts "tim b913a602c7eda7a495b4e6e7334d3890" (secret stored ${cramContexts ? 'as contexts' : 'in plaintext'})`, async () => {
      const lookup = memoryLookup({ tim: 'tanstaaftanstaaf' }, { cramContexts });
      const exchange = createSaslServer('CRAM-MD5', { ...RFC_CONTEXT, lookup });
      const challenge = await exchange.start();
      expect(challenge.type === 'challenge' && dec(challenge.data)).toBe(RFC_CHALLENGE);
      expect(await exchange.step(enc('tim b913a602c7eda7a495b4e6e7334d3890'))).toEqual({ type: 'success', authcid: 'tim', authzid: 'tim' });
    });
  }

  it('client computes the RFC response', () => {
    const client = createSaslClient('CRAM-MD5', { username: 'tim', password: 'tanstaaftanstaaf' });
    expect(client.start()).toBeUndefined();
    expect(dec((client.step(enc(RFC_CHALLENGE)) as { data: Uint8Array }).data)).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
  });

  it('refuses a wrong digest, an unknown user, an initial response and garbage', async () => {
    const lookup = memoryLookup({ tim: 'tanstaaftanstaaf' });
    const attempt = async (response: string) => {
      const exchange = createSaslServer('CRAM-MD5', { ...RFC_CONTEXT, lookup });
      await exchange.start();
      return exchange.step(enc(response));
    };
    expect(await attempt('tim b913a602c7eda7a495b4e6e7334d3891')).toMatchObject({ reason: 'invalid-credentials' });
    expect(await attempt('bob b913a602c7eda7a495b4e6e7334d3890')).toMatchObject({ reason: 'invalid-credentials' });
    expect(await attempt('timb913a602c7eda7a495b4e6e7334d3890')).toMatchObject({ reason: 'malformed' });
    expect(await attempt('tim b913a602c7')).toMatchObject({ reason: 'malformed' });
    const early = createSaslServer('CRAM-MD5', { ...RFC_CONTEXT, lookup });
    expect(await early.start(enc('tim'))).toMatchObject({ type: 'failure', reason: 'malformed' });
  });

  it('round-trips against a contexts-only secret', async () => {
    const result = await roundTrip('CRAM-MD5', memoryLookup({ 'user name': 'pässwörd' }, { cramContexts: true }), {
      username: 'user name',
      password: 'pässwörd',
    });
    expect(result).toEqual({ server: { type: 'success', authcid: 'user name', authzid: 'user name' }, clientVerdict: 'success' });
  });
});

describe('HMAC-MD5 contexts (Dovecot {CRAM-MD5})', () => {
  it('matches `doveadm pw -s CRAM-MD5 -p tanstaaftanstaaf`', () => {
    const contexts = cramMd5Contexts('tanstaaftanstaaf');
    expect(contexts.length).toBe(CRAM_MD5_CONTEXTS_BYTES);
    expect(Buffer.from(contexts).toString('hex')).toBe('d06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b');
  });

  it('gives the same HMAC-MD5 as node:crypto for any key and message (incl. keys over 64 bytes)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 300 }), (key, message) => {
        const ours = Buffer.from(hmacMd5FromContexts(cramMd5Contexts(key), message)).toString('hex');
        expect(ours).toBe(createHmac('md5', key).update(message).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('handles message lengths around the padding boundary (55, 56, 63, 64, 119 bytes)', () => {
    for (const length of [0, 55, 56, 63, 64, 119, 120, 1000]) {
      const message = randomBytes(length);
      const expected = createHmac('md5', 'k').update(message).digest('hex');
      expect(Buffer.from(hmacMd5FromContexts(cramMd5Contexts('k'), message)).toString('hex')).toBe(expected);
    }
    expect(createHash('md5').update('').digest('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });
});
