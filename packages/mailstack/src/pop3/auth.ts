/**
 * Login policy and SASL for POP3 (RFC 5034, RFC 2595 §3.1, SPEC.md §2): which mechanisms a
 * connection is offered, whether USER/PASS may be used, and one SASL exchange mapped to POP3
 * replies.
 */
import { randomBytes } from 'node:crypto';
import { createSaslServer, parseMechanismName, type SaslMechanismName, type SaslServerExchange, type SaslServerStep } from '@mailstack/sasl';
import { REPLY_FOR, type Pop3Reply } from '@mailstack/pop3-core';
import { offeredMechanisms } from '../smtp/auth.js';
import type { Pop3ServerOptions } from './types.js';

/** Offered when `Pop3ServerOptions.mechanisms` is not given. */
export const DEFAULT_POP3_MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'];

/** What decides the login offer of a connection. */
export interface LoginContext {
  readonly tls: boolean;
  readonly loopback: boolean;
}

/**
 * RFC 2595 §3.1: passwords in the clear only under TLS; SPEC.md §2 also allows loopback
 * clients, and everyone with allowPlaintextAuth.
 */
export function plaintextAllowed(options: Pop3ServerOptions, at: LoginContext): boolean {
  return at.tls || at.loopback || options.allowPlaintextAuth === true;
}

/**
 * The SASL mechanisms for CAPA and AUTH. POP3 offers AUTH with or without TLS, as SMTP
 * submission does, so the submission rule of offeredMechanisms applies: plaintext mechanisms
 * only where plaintextAllowed(), and only mechanisms the user source can serve.
 */
export function pop3Mechanisms(options: Pop3ServerOptions, at: LoginContext): SaslMechanismName[] {
  const auth = { lookup: options.users, mechanisms: options.mechanisms ?? DEFAULT_POP3_MECHANISMS, allowPlaintextAuth: options.allowPlaintextAuth ?? false };
  return offeredMechanisms(auth, { role: 'submission', ...at });
}

/** Replies of the login path (Dovecot's wording where it has one). */
export const LOGIN_REPLIES = {
  // RFC 2595 §4 / RFC 3206 §5: [AUTH] tells the client that retrying the same way will not help.
  plaintextDisallowed: { type: 'err', code: 'AUTH', text: 'Plaintext authentication disallowed on non-secure (SSL/TLS) connections.' },
  unsupportedMechanism: { type: 'err', text: 'Unsupported authentication mechanism.' },
  malformed: { type: 'err', text: 'Invalid SASL data' },
  tooManyFailures: { type: 'err', code: 'AUTH', text: 'Too many authentication failures, closing connection' },
  failed: REPLY_FOR['auth-failed'],
} as const satisfies Record<string, Pop3Reply>;

/** How one SASL step ends for the connection. */
export type Pop3AuthStep =
  | { readonly kind: 'challenge'; readonly data: Uint8Array }
  | { readonly kind: 'success'; readonly user: string }
  | { readonly kind: 'failure'; readonly reply: Pop3Reply; readonly detail: string };

function toStep(step: SaslServerStep): Pop3AuthStep {
  switch (step.type) {
    case 'challenge':
      return { kind: 'challenge', data: step.data };
    case 'success':
      return { kind: 'success', user: step.authzid === '' ? step.authcid : step.authzid };
    case 'failure':
      // One answer for unknown user, wrong password and a mechanism the user cannot use (SPEC.md §7).
      return { kind: 'failure', reply: step.reason === 'malformed' ? LOGIN_REPLIES.malformed : LOGIN_REPLIES.failed, detail: `${step.reason}: ${step.detail}` };
  }
}

/** One AUTH exchange (RFC 5034 §4). */
export class Pop3AuthExchange {
  readonly mechanism: SaslMechanismName;
  readonly #exchange: SaslServerExchange;

  private constructor(mechanism: SaslMechanismName, exchange: SaslServerExchange) {
    this.mechanism = mechanism;
    this.#exchange = exchange;
  }

  /** Begin an exchange for an offered mechanism; undefined when `mechanism` is not among `offered`. */
  static async start(options: Pop3ServerOptions, offered: readonly SaslMechanismName[], mechanism: string, initialResponse: Uint8Array | undefined): Promise<{ exchange: Pop3AuthExchange; step: Pop3AuthStep } | undefined> {
    const name = parseMechanismName(mechanism);
    if (name === undefined || !offered.includes(name)) return undefined;
    const sasl = createSaslServer(name, { lookup: options.users, hostname: options.hostname, nonce: randomBytes(18).toString('base64'), now: Date.now() });
    return { exchange: new Pop3AuthExchange(name, sasl), step: toStep(await sasl.start(initialResponse)) };
  }

  /** The client's answer to our last challenge. */
  async step(response: Uint8Array): Promise<Pop3AuthStep> {
    return toStep(await this.#exchange.step(response));
  }
}
