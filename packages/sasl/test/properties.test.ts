import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSaslClient, createSaslServer, saslprep, type SaslMechanismName } from '@mailstack/sasl';
import { CONTEXT_DEFAULTS, enc, memoryLookup, roundTrip } from './helpers.js';

const MECHANISMS: SaslMechanismName[] = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'OAUTHBEARER'];
const lookup = { ...memoryLookup({ user: 'pencil' }), validateBearerToken: async () => ({ valid: false as const, status: 'invalid_token' }) };

// Random bytes biased toward the mechanisms' own alphabet.
const saslish = fc
  .array(fc.constantFrom(...'n,=ryp:cvse\x00\x01 aButh=Bearer user pencil'.split(''), '=2C', 'n,,n=user,r=', 'c=biws,'), { maxLength: 60 })
  .map((parts) => enc(parts.join('')));
const message = fc.oneof(fc.uint8Array({ maxLength: 200 }), saslish);

describe('properties', () => {
  it('random peer input never throws on the server side: every step is a step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...MECHANISMS), fc.option(message, { nil: undefined }), fc.array(message, { maxLength: 4 }), async (mechanism, initial, responses) => {
        const server = createSaslServer(mechanism, { ...CONTEXT_DEFAULTS, lookup });
        let step = await server.start(initial);
        for (const response of responses) {
          if (step.type !== 'challenge') break;
          step = await server.step(response);
        }
        expect(['challenge', 'success', 'failure']).toContain(step.type);
        expect(step.type).not.toBe('success');
      }),
      { numRuns: 200 },
    );
  });

  it('random server challenges never throw on the client side', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MECHANISMS), fc.array(message, { minLength: 1, maxLength: 4 }), (mechanism, challenges) => {
        const client = createSaslClient(mechanism, { username: 'user', password: 'pencil', nonce: 'abc', token: 't' });
        for (const challenge of challenges) {
          if (client.step(challenge).type === 'failure') return;
        }
        expect(['success', 'failure']).toContain(client.finish().type);
      }),
      { numRuns: 200 },
    );
  });

  it('any UTF-8 user name and password round-trip through every password mechanism', async () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f\s]/.test(s));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<SaslMechanismName>('PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'), text, text, async (mechanism, user, password) => {
        fc.pre(saslprep(user) === user && saslprep(password) === password);
        const result = await roundTrip(mechanism, memoryLookup({ [user]: password }), { username: user, password, nonce: 'cn' });
        expect(result.server).toEqual({ type: 'success', authcid: user, authzid: user });
        expect(result.clientVerdict).toBe('success');
      }),
      { numRuns: 60 },
    );
  });
});
