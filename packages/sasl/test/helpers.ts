import {
  createSaslClient,
  createSaslServer,
  deriveScramCredentials,
  cramMd5Contexts,
  type CredentialLookup,
  type SaslClientOptions,
  type SaslMechanismName,
  type SaslServerStep,
  type ScramHash,
} from '@mailstack/sasl';

export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

/** An in-memory lookup: passwords by user, plus "Kurt may act as Ursel" (RFC 4616 §4). */
export function memoryLookup(passwords: Record<string, string>, options: { cramContexts?: boolean } = {}): CredentialLookup {
  return {
    async verifyPassword(user, password) {
      return Object.hasOwn(passwords, user) && passwords[user] === password;
    },
    async getCramSecret(user) {
      if (!Object.hasOwn(passwords, user)) return undefined;
      const password = passwords[user]!;
      return options.cramContexts ? { type: 'hmac-md5-contexts', contexts: cramMd5Contexts(password) } : { type: 'plain', password };
    },
    async getScramCredentials(user, hash: ScramHash) {
      if (!Object.hasOwn(passwords, user)) return undefined;
      return deriveScramCredentials(passwords[user]!, SALT, 4096, hash);
    },
    async authorize(authcid, authzid) {
      return authcid === 'Kurt' && authzid === 'Ursel';
    },
  };
}

export const CONTEXT_DEFAULTS = { hostname: 'mail.example.test', nonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0', now: 1_700_000_000_000 };

/** Run a client against a server with no wire in between; returns the server's final step. */
export async function roundTrip<M extends SaslMechanismName>(
  mechanism: M,
  lookup: CredentialLookup,
  options: SaslClientOptions[M],
  sendInitialResponse = true,
): Promise<{ server: SaslServerStep; clientVerdict: string }> {
  const server = createSaslServer(mechanism, { ...CONTEXT_DEFAULTS, lookup });
  const client = createSaslClient(mechanism, options);
  let step = await server.start(sendInitialResponse ? client.start() : undefined);
  for (let turns = 0; step.type === 'challenge' && turns < 10; turns++) {
    const answer = client.step(step.data);
    if (answer.type === 'failure') return { server: step, clientVerdict: `client-failure:${answer.reason}` };
    step = await server.step(answer.data);
  }
  const clientVerdict = step.type === 'success' ? client.finish().type : 'server-failure';
  return { server: step, clientVerdict };
}
