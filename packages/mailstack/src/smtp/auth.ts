/**
 * AUTH on the server (RFC 4954): which mechanisms a connection is offered, and one SASL exchange
 * driven from the session's events to replies.
 *
 * Policy (SPEC.md §2, §6): AUTH is offered on submission; on the smtp role only once TLS is up,
 * or to a loopback client when allowPlaintextAuth is set. Plaintext mechanisms (the password
 * crosses the wire readable: PLAIN, LOGIN) additionally need TLS, a loopback client or
 * allowPlaintextAuth. Mechanisms the credential lookup cannot serve are not offered.
 */
import { randomBytes } from 'node:crypto';
import { SASL_MECHANISMS, createSaslServer, parseMechanismName, type SaslMechanismName, type SaslServerExchange, type SaslServerStep } from '@mailstack/sasl';
import type { Reply } from '@mailstack/smtp-core';
import type { SmtpAuthOptions, SmtpRole } from './types.js';

/** Offered when `SmtpAuthOptions.mechanisms` is not given. */
export const DEFAULT_SMTP_MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'];

/** What decides the AUTH offer of a connection. */
export interface AuthOfferContext {
  readonly role: SmtpRole;
  readonly tls: boolean;
  readonly loopback: boolean;
}

/** The mechanisms to advertise in EHLO (empty: no AUTH keyword). */
export function offeredMechanisms(auth: SmtpAuthOptions | undefined, at: AuthOfferContext): SaslMechanismName[] {
  if (auth === undefined) return [];
  const relaxed = auth.allowPlaintextAuth === true;
  if (at.role === 'smtp' && !at.tls && !(at.loopback && relaxed)) return [];
  const plaintextOk = at.tls || at.loopback || relaxed;
  const { lookup } = auth;
  return (auth.mechanisms ?? DEFAULT_SMTP_MECHANISMS).filter((m) => {
    if (SASL_MECHANISMS[m].plaintext && !plaintextOk) return false;
    if (m === 'CRAM-MD5') return lookup.getCramSecret !== undefined;
    if (m === 'SCRAM-SHA-1' || m === 'SCRAM-SHA-256') return lookup.getScramCredentials !== undefined;
    if (m === 'OAUTHBEARER') return lookup.validateBearerToken !== undefined;
    return true;
  });
}

/** RFC 4954 §6 replies. */
export const AUTH_REPLIES = {
  success: { code: 235, enhanced: '2.7.0', text: 'Authentication successful' },
  invalid: { code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' },
  malformed: { code: 501, enhanced: '5.5.2', text: 'Invalid SASL data' },
  required: { code: 530, enhanced: '5.7.0', text: 'Authentication required' },
} as const satisfies Record<string, Reply>;

/** How one step of an exchange ends: a reply to send, and the identity once it succeeded. */
export type AuthStepResult =
  | { readonly kind: 'challenge'; readonly reply: Reply }
  | { readonly kind: 'success'; readonly reply: Reply; readonly user: string }
  | { readonly kind: 'failure'; readonly reply: Reply; readonly detail: string };

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function toResult(step: SaslServerStep): AuthStepResult {
  switch (step.type) {
    case 'challenge':
      return { kind: 'challenge', reply: { code: 334, text: base64(step.data) } };
    case 'success':
      return { kind: 'success', reply: AUTH_REPLIES.success, user: step.authzid === '' ? step.authcid : step.authzid };
    case 'failure':
      // One answer for unknown user, wrong password and unusable mechanism: nothing to enumerate.
      return { kind: 'failure', reply: step.reason === 'malformed' ? AUTH_REPLIES.malformed : AUTH_REPLIES.invalid, detail: `${step.reason}: ${step.detail}` };
  }
}

/** One AUTH attempt on a connection. */
export class SmtpAuthExchange {
  readonly #exchange: SaslServerExchange;

  private constructor(exchange: SaslServerExchange) {
    this.#exchange = exchange;
  }

  /** Begin with the AUTH command's mechanism (already checked against the offer by the core). */
  static start(auth: SmtpAuthOptions, hostname: string, mechanism: string, initialResponse: Uint8Array | undefined): Promise<{ exchange: SmtpAuthExchange; result: AuthStepResult }> | undefined {
    const name = parseMechanismName(mechanism);
    if (name === undefined) return undefined;
    const exchange = createSaslServer(name, { lookup: auth.lookup, hostname, nonce: randomBytes(18).toString('base64'), now: Date.now() });
    return exchange.start(initialResponse).then((step) => ({ exchange: new SmtpAuthExchange(exchange), result: toResult(step) }));
  }

  /** The client's answer to our last challenge. */
  async step(response: Uint8Array): Promise<AuthStepResult> {
    return toResult(await this.#exchange.step(response));
  }
}
