/**
 * Relay and submission policy, as pure decisions over what the session knows (Postfix
 * smtpd_*_restrictions with permit_mynetworks, permit_sasl_authenticated,
 * reject_unauth_destination, reject_sender_login_mismatch):
 *
 *   MAIL FROM  submission/submissions without AUTH       530 5.7.0 (RFC 4954 §6, SPEC.md §7)
 *              declared SIZE over the limit              552 5.3.4 (RFC 1870 §6)
 *              authenticated, sender not the user's own  553 5.7.1 (reject_sender_login_mismatch)
 *   RCPT TO    over the per-message recipient limit      452 4.5.3 (RFC 5321 §4.5.3.1.8)
 *              local domain                              accept (existence is the Router's check)
 *              remote domain from mynetworks or AUTH     accept (relay)
 *              remote domain otherwise                   554 5.7.1 Relay access denied
 *   DATA end   message over the size limit               552 5.3.4
 */
import { splitAddress, splitExtension } from '../routing/address.js';
import { mtaReply, type MtaReply } from '../routing/reply.js';
import { NetworkList } from './networks.js';

/** Which listener the session came in on (SPEC.md §2 listen:). */
export type ListenerKind = 'smtp' | 'submission' | 'submissions';

/** What the policy needs to know about the session. */
export interface SessionFacts {
  listener: ListenerKind;
  clientAddress: string;
  /** The SASL authorization identity after a successful AUTH. */
  authenticatedUser?: string;
}

/** Accept, or reject with this reply. */
export type PolicyDecision = { action: 'accept' } | { action: 'reject'; reply: MtaReply };

/** Relay policy configuration. */
export interface RelayPolicyOptions {
  /** Clients that may relay without AUTH (Postfix mynetworks); [] = nobody. */
  mynetworks: readonly string[];
  isLocalDomain(domain: string): boolean;
  /** Postfix smtpd_recipient_limit; default 1000. */
  maxRecipientsPerMessage?: number;
  /** Message size limit in bytes; default 52428800 (SPEC.md §2 limits.messageSize). */
  maxMessageBytes?: number;
  /**
   * Whether `user` may use `address` as sender (Postfix smtpd_sender_login_maps). Default: the
   * address is `user` or `user+extension` at a local domain.
   */
  ownsAddress?(user: string, address: string): boolean;
  /** Turn off the sender/login check (default false: mismatches are rejected). */
  allowSenderLoginMismatch?: boolean;
  /** recipient_delimiter for the default ownsAddress; default "+". */
  recipientDelimiter?: string;
}

const ACCEPT: PolicyDecision = { action: 'accept' };

/** Pure relay/submission policy decisions for MAIL, RCPT and end of DATA. */
export class RelayPolicy {
  readonly #options: RelayPolicyOptions;
  readonly #mynetworks: NetworkList;
  readonly #maxRecipients: number;
  readonly #maxBytes: number;

  /** Throws MtaConfigError for a malformed mynetworks entry. */
  constructor(options: RelayPolicyOptions) {
    this.#options = options;
    this.#mynetworks = new NetworkList(options.mynetworks);
    this.#maxRecipients = options.maxRecipientsPerMessage ?? 1000;
    this.#maxBytes = options.maxMessageBytes ?? 52_428_800;
  }

  /** The size limit to advertise with EHLO SIZE (RFC 1870). */
  get maxMessageBytes(): number {
    return this.#maxBytes;
  }

  /** Whether the client is in mynetworks. */
  isTrustedClient(clientAddress: string): boolean {
    return this.#mynetworks.contains(clientAddress);
  }

  /** MAIL FROM: AUTH required on submission, declared SIZE, sender ownership. `reversePath` '' is <>. */
  checkMail(session: SessionFacts, reversePath: string, declaredSizeBytes?: number): PolicyDecision {
    if (session.listener !== 'smtp' && session.authenticatedUser === undefined) {
      return reject(530, '5.7.0', 'Authentication required');
    }
    if (declaredSizeBytes !== undefined && declaredSizeBytes > this.#maxBytes) {
      return reject(552, '5.3.4', 'Message size exceeds fixed limit');
    }
    const user = session.authenticatedUser;
    if (user !== undefined && reversePath !== '' && !this.#owns(user, reversePath)) {
      return reject(553, '5.7.1', `<${reversePath}>: Sender address rejected: not owned by user ${user}`);
    }
    return ACCEPT;
  }

  /** RCPT TO: recipient limit, then local delivery or relay permission. `acceptedSoFar` excludes this one. */
  checkRecipient(session: SessionFacts, recipient: string, acceptedSoFar: number): PolicyDecision {
    if (acceptedSoFar >= this.#maxRecipients) return reject(452, '4.5.3', 'Error: too many recipients');
    const { domain } = splitAddress(recipient);
    if (domain === '' || this.#options.isLocalDomain(domain)) return ACCEPT;
    if (session.authenticatedUser !== undefined || this.isTrustedClient(session.clientAddress)) return ACCEPT;
    return reject(554, '5.7.1', `<${recipient}>: Relay access denied`);
  }

  /** End of DATA: the actual size against the limit (SPEC.md §7: an oversized DATA gets 552). */
  checkMessageSize(sizeBytes: number): PolicyDecision {
    return sizeBytes > this.#maxBytes ? reject(552, '5.3.4', 'Message size exceeds fixed limit') : ACCEPT;
  }

  /**
   * Header From (RFC 5322 §3.6.2) of a message from an authenticated user: every author address
   * must be the user's own, as for MAIL FROM; for unauthenticated sessions there is nothing to check.
   */
  checkHeaderFrom(session: SessionFacts, authors: readonly string[]): PolicyDecision {
    const user = session.authenticatedUser;
    if (user === undefined) return ACCEPT;
    const foreign = authors.find((a) => !this.#owns(user, a));
    if (foreign === undefined) return ACCEPT;
    return reject(550, '5.7.1', `From: <${foreign}> is not owned by user ${user}`);
  }

  #owns(user: string, address: string): boolean {
    if (this.#options.allowSenderLoginMismatch) return true;
    if (this.#options.ownsAddress) return this.#options.ownsAddress(user, address);
    const { localPart, domain } = splitAddress(address);
    if (!this.#options.isLocalDomain(domain)) return false;
    return splitExtension(localPart, this.#options.recipientDelimiter ?? '+').base === user.toLowerCase();
  }
}

function reject(code: number, enhanced: string, text: string): PolicyDecision {
  return { action: 'reject', reply: mtaReply(code, enhanced, text) };
}
