/** Create server/client exchanges, parse AUTH mechanism names, and the mechanism table. */
export { createSaslServer, createSaslClient, parseMechanismName, SASL_MECHANISMS, type SaslMechanismInfo, type SaslClientOptions } from './mechanisms.js';
/** The shapes of exchanges, steps and the application's credential lookup. */
export type {
  SaslMechanismName,
  SaslFailureReason,
  SaslServerStep,
  SaslClientStep,
  SaslClientOutcome,
  SaslServerContext,
  SaslServerExchange,
  SaslClientExchange,
  CredentialLookup,
  CramSecret,
  ScramHash,
  ScramCredentials,
  BearerTokenRequest,
  BearerTokenVerdict,
} from './types.js';
/** Client credential shapes per mechanism family. */
export type { PasswordCredentials, ScramClientCredentials, BearerCredentials } from './credentials.js';
/** SASLprep (RFC 4013) for user names and passwords. */
export { saslprep } from './saslprep.js';
/** Dovecot's {CRAM-MD5} contexts and HMAC-MD5 computed from them. */
export { cramMd5Contexts, hmacMd5FromContexts, CRAM_MD5_CONTEXTS_BYTES } from './hmac-md5.js';
/** The RFC 2195 challenge string a CRAM-MD5 server sends. */
export { cramMd5Challenge } from './cram-md5.js';
/** SCRAM stored keys derived from a password (RFC 5802 §3), and the iteration floor. */
export { deriveScramCredentials, SCRAM_MIN_ITERATIONS } from './scram.js';
/** Thrown only on caller misuse (stepping a finished exchange, bad nonce). */
export { SaslError, type SaslErrorCode } from './errors.js';
