import { describe, expect, it } from 'vitest';
import { createSaslClient, createSaslServer, type BearerTokenRequest, type CredentialLookup } from '@mailstack/sasl';
import { CONTEXT_DEFAULTS, dec, enc } from './helpers.js';

// RFC 7628 §4.1 and §4.3: the example messages.
const RFC_RESPONSE = 'n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01';
const RFC_ERROR = '{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}';

function validatorLookup(seen: BearerTokenRequest[]): CredentialLookup {
  return {
    verifyPassword: async () => false,
    async validateBearerToken(request) {
      seen.push(request);
      if (request.token === 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==') return { valid: true, authcid: 'user@example.com' };
      return { valid: false, status: 'invalid_token', scope: 'example_scope', openidConfiguration: 'https://example.com/.well-known/openid-configuration' };
    },
  };
}

describe('OAUTHBEARER (RFC 7628)', () => {
  it('parses the §4.1 example and hands the token, authzid, host and port to the validator', async () => {
    const seen: BearerTokenRequest[] = [];
    const server = createSaslServer('OAUTHBEARER', { ...CONTEXT_DEFAULTS, lookup: validatorLookup(seen) });
    expect(await server.start(enc(RFC_RESPONSE))).toEqual({ type: 'success', authcid: 'user@example.com', authzid: 'user@example.com' });
    expect(seen).toEqual([{ token: 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==', authzid: 'user@example.com', host: 'server.example.com', port: 143 }]);
  });

  it('sends the §4.3 JSON error, waits for 0x01, then fails', async () => {
    const server = createSaslServer('OAUTHBEARER', { ...CONTEXT_DEFAULTS, lookup: validatorLookup([]) });
    const challenge = await server.start(enc('n,,\x01auth=Bearer expired\x01\x01'));
    expect(challenge.type === 'challenge' && dec(challenge.data)).toBe(RFC_ERROR);
    expect(await server.step(Uint8Array.of(1))).toEqual({ type: 'failure', reason: 'invalid-credentials', detail: 'OAUTHBEARER: invalid_token' });
  });

  it('client builds the §4.1 message and answers an error with 0x01', () => {
    const client = createSaslClient('OAUTHBEARER', {
      token: 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==',
      authzid: 'user@example.com',
      host: 'server.example.com',
      port: 143,
    });
    expect(dec(client.start()!)).toBe(RFC_RESPONSE);
    expect(client.step(enc(RFC_ERROR))).toEqual({ type: 'response', data: Uint8Array.of(1) });
  });

  it.each([
    ['no auth pair', 'n,,\x01host=x\x01\x01'],
    ['not Bearer', 'n,,\x01auth=Basic dXNlcjpwYXNz\x01\x01'],
    ['missing final kvsep', 'n,,\x01auth=Bearer abc\x01'],
    ['channel binding', 'p=tls-unique,,\x01auth=Bearer abc\x01\x01'],
    ['bad port', 'n,,\x01port=x\x01auth=Bearer abc\x01\x01'],
  ])('fails on %s', async (_name, message) => {
    const server = createSaslServer('OAUTHBEARER', { ...CONTEXT_DEFAULTS, lookup: validatorLookup([]) });
    expect(await server.start(enc(message))).toMatchObject({ type: 'failure', reason: 'malformed' });
  });

  it('fails as unsupported without a validator', async () => {
    const server = createSaslServer('OAUTHBEARER', { ...CONTEXT_DEFAULTS, lookup: { verifyPassword: async () => true } });
    expect(await server.start(enc(RFC_RESPONSE))).toMatchObject({ type: 'failure', reason: 'unsupported' });
  });
});
