import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { createSaslClient, createSaslServer, deriveScramCredentials, type CredentialLookup } from '@mailstack/sasl';

// The README example, verbatim apart from the assertions.
it('README example: a SCRAM-SHA-256 exchange with random nonces', async () => {
  const salt = randomBytes(16);
  const stored = deriveScramCredentials('pencil', salt, 4096, 'SHA-256');
  const lookup: CredentialLookup = {
    verifyPassword: async (user, password) => user === 'user' && password === 'pencil',
    getScramCredentials: async (user) => (user === 'user' ? stored : undefined),
  };

  const server = createSaslServer('SCRAM-SHA-256', {
    lookup, hostname: 'mail.example.test', nonce: randomBytes(18).toString('base64'), now: Date.now(),
  });
  const client = createSaslClient('SCRAM-SHA-256', { username: 'user', password: 'pencil', nonce: randomBytes(18).toString('base64') });

  let step = await server.start(client.start());
  while (step.type === 'challenge') {
    const answer = client.step(step.data);
    if (answer.type === 'failure') throw new Error(answer.detail);
    step = await server.step(answer.data);
  }
  expect(step).toEqual({ type: 'success', authcid: 'user', authzid: 'user' });
  expect(client.finish()).toEqual({ type: 'success' });
});
