/** The registry: which mechanisms exist, what they need, and the factories for exchanges. */
import { cramMd5Client, cramMd5Server } from './cram-md5.js';
import { GeneratorClientExchange, GeneratorServerExchange, type ClientMechanism, type ServerMechanism } from './exchange.js';
import { SaslError } from './errors.js';
import { loginClient, loginServer } from './login.js';
import { oauthBearerClient, oauthBearerServer } from './oauthbearer.js';
import { plainClient, plainServer } from './plain.js';
import { scramClient, scramServer } from './scram.js';
import type { BearerCredentials, PasswordCredentials, ScramClientCredentials } from './credentials.js';
import type { SaslClientExchange, SaslMechanismName, SaslServerContext, SaslServerExchange } from './types.js';

/** Properties of a mechanism that a protocol server needs for its policy. */
export interface SaslMechanismInfo {
  /** The secret crosses the wire readable (PLAIN, LOGIN, a bearer token): offer only over TLS. */
  plaintext: boolean;
  /** The client sends the first message, so an initial response is possible (RFC 4422 §5). */
  clientFirst: boolean;
  /** The server proves it knows the secret too (SCRAM). */
  mutual: boolean;
}

/** Every implemented mechanism with its properties, strongest first. */
export const SASL_MECHANISMS: Readonly<Record<SaslMechanismName, SaslMechanismInfo>> = {
  'SCRAM-SHA-256': { plaintext: false, clientFirst: true, mutual: true },
  'SCRAM-SHA-1': { plaintext: false, clientFirst: true, mutual: true },
  'CRAM-MD5': { plaintext: false, clientFirst: false, mutual: false },
  OAUTHBEARER: { plaintext: true, clientFirst: true, mutual: false },
  PLAIN: { plaintext: true, clientFirst: true, mutual: false },
  LOGIN: { plaintext: true, clientFirst: false, mutual: false },
};

/** The client credentials each mechanism needs. */
export interface SaslClientOptions {
  PLAIN: PasswordCredentials;
  LOGIN: PasswordCredentials;
  'CRAM-MD5': PasswordCredentials;
  'SCRAM-SHA-1': ScramClientCredentials;
  'SCRAM-SHA-256': ScramClientCredentials;
  OAUTHBEARER: BearerCredentials;
}

const SERVERS: Record<SaslMechanismName, ServerMechanism> = {
  PLAIN: plainServer,
  LOGIN: loginServer,
  'CRAM-MD5': cramMd5Server,
  'SCRAM-SHA-1': scramServer('SHA-1'),
  'SCRAM-SHA-256': scramServer('SHA-256'),
  OAUTHBEARER: oauthBearerServer,
};

const CLIENTS: { [M in SaslMechanismName]: (options: SaslClientOptions[M]) => ClientMechanism } = {
  PLAIN: plainClient,
  LOGIN: loginClient,
  'CRAM-MD5': cramMd5Client,
  'SCRAM-SHA-1': (options) => scramClient('SHA-1', options),
  'SCRAM-SHA-256': (options) => scramClient('SHA-256', options),
  OAUTHBEARER: oauthBearerClient,
};

// RFC 5802 §7: the nonce is printable ASCII except ","; it also ends up inside the CRAM-MD5 msg-id.
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** The mechanism named by a protocol's AUTH argument (case-insensitive), if we implement it. */
export function parseMechanismName(name: string): SaslMechanismName | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(SASL_MECHANISMS, upper) ? (upper as SaslMechanismName) : undefined;
}

/** A fresh server exchange for one authentication attempt. */
export function createSaslServer(mechanism: SaslMechanismName, context: SaslServerContext): SaslServerExchange {
  if (!NONCE.test(context.nonce)) throw new SaslError('invalid-value', 'nonce must be printable ASCII without ","');
  return new GeneratorServerExchange(mechanism, SERVERS[mechanism], context);
}

/** A fresh client exchange for one authentication attempt. */
export function createSaslClient<M extends SaslMechanismName>(mechanism: M, options: SaslClientOptions[M]): SaslClientExchange {
  if ('nonce' in options && !NONCE.test(options.nonce)) throw new SaslError('invalid-value', 'nonce must be printable ASCII without ","');
  const run = CLIENTS[mechanism](options);
  return new GeneratorClientExchange(mechanism, run, SASL_MECHANISMS[mechanism].mutual);
}
