/** The shapes shared by every mechanism: steps, the credential lookup, the exchanges. */

/** The mechanisms this package implements, by their IANA SASL names. */
export type SaslMechanismName = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'SCRAM-SHA-1' | 'SCRAM-SHA-256' | 'OAUTHBEARER';

/** Why an exchange failed; kebab-case codes a protocol adapter maps to its own reply. */
export type SaslFailureReason =
  | 'malformed' // the peer's message breaks the mechanism's syntax
  | 'invalid-credentials' // unknown user, wrong password or proof, rejected token
  | 'unauthorized-authzid' // authenticated, but may not act as the requested authzid
  | 'unsupported' // a feature we do not offer (channel binding, extensions, no validator)
  | 'server-unverified'; // client side: the server did not prove knowledge of the secret (SCRAM)

/** What a server exchange answers to each client message. */
export type SaslServerStep =
  | { type: 'challenge'; data: Uint8Array }
  | { type: 'success'; authcid: string; authzid: string } // authzid: the identity to act as
  | { type: 'failure'; reason: SaslFailureReason; detail: string };

/** What a client exchange answers to each server challenge. */
export type SaslClientStep =
  | { type: 'response'; data: Uint8Array }
  | { type: 'failure'; reason: SaslFailureReason; detail: string };

/** The client's verdict once the server has said "success". */
export type SaslClientOutcome = { type: 'success' } | { type: 'failure'; reason: SaslFailureReason; detail: string };

/** A CRAM-MD5 secret: the plaintext password, or Dovecot's precomputed HMAC-MD5 contexts. */
export type CramSecret = { type: 'plain'; password: string } | { type: 'hmac-md5-contexts'; contexts: Uint8Array };

/** The hash of a SCRAM mechanism (RFC 5802 with SHA-1, RFC 7677 with SHA-256). */
export type ScramHash = 'SHA-1' | 'SHA-256';

/** RFC 5802 §3: what a server stores for SCRAM instead of the password. */
export interface ScramCredentials {
  salt: Uint8Array;
  iterations: number;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

/** RFC 7628 §3.1: what the client sent with its bearer token. */
export interface BearerTokenRequest {
  token: string;
  authzid: string | undefined;
  host: string | undefined;
  port: number | undefined;
}

/** The answer of an application's OAuth token validator. */
export type BearerTokenVerdict =
  | { valid: true; authcid: string }
  | { valid: false; status: string; scope?: string; openidConfiguration?: string };

/**
 * How a server exchange checks credentials; the application implements it (users file,
 * database, ...). User names arrive SASLprep'ed. Optional methods enable their mechanisms.
 */
export interface CredentialLookup {
  /** PLAIN, LOGIN: is this the user's password? Unknown users are simply `false`. */
  verifyPassword(authcid: string, password: string): Promise<boolean>;
  /** CRAM-MD5: the user's secret, or undefined when the user has none usable. */
  getCramSecret?(authcid: string): Promise<CramSecret | undefined>;
  /** SCRAM-*: the user's stored keys for this hash, or undefined. */
  getScramCredentials?(authcid: string, hash: ScramHash): Promise<ScramCredentials | undefined>;
  /** May `authcid` act as `authzid` (which differs from it)? Absent: never. */
  authorize?(authcid: string, authzid: string): Promise<boolean>;
  /** OAUTHBEARER: validate a bearer token. Absent: the mechanism always fails. */
  validateBearerToken?(request: BearerTokenRequest): Promise<BearerTokenVerdict>;
}

/** Per-attempt inputs of a server exchange: the core keeps no clock and draws no randomness. */
export interface SaslServerContext {
  lookup: CredentialLookup;
  /** The server's host name, used in the CRAM-MD5 challenge (RFC 2195 §2). */
  hostname: string;
  /** Fresh random printable ASCII without ",", e.g. base64 of 18 random bytes (RFC 5802 §5.1 r). */
  nonce: string;
  /** The current time in ms since the epoch, used in the CRAM-MD5 challenge. */
  now: number;
}

/** One server-side authentication attempt with one mechanism. */
export interface SaslServerExchange {
  readonly mechanism: SaslMechanismName;
  /** Begin, with the client's initial response if the protocol carried one (RFC 4422 §3.3). */
  start(initialResponse?: Uint8Array): Promise<SaslServerStep>;
  /** Feed the client's answer to the last challenge. */
  step(response: Uint8Array): Promise<SaslServerStep>;
}

/** One client-side authentication attempt with one mechanism. */
export interface SaslClientExchange {
  readonly mechanism: SaslMechanismName;
  /**
   * The initial response to send with the AUTH command, or undefined for a server-first
   * mechanism. Callers that cannot send one skip start(): the first step() then answers the
   * server's empty challenge with it (RFC 4422 §5 item 2).
   */
  start(): Uint8Array | undefined;
  /** Answer a server challenge. */
  step(challenge: Uint8Array): SaslClientStep;
  /** The server said success, with its additional data if the protocol carries it (RFC 4422 §3.6). */
  finish(additionalData?: Uint8Array): SaslClientOutcome;
}
