/**
 * Server session state (STYLE.md §3): a discriminated union on `phase`, with the RFC 5321 §4.1.4
 * command-order rules as a table. A field exists only in the phases where it means something.
 */
import type { ForwardPath, ReversePath } from './address.js';
import type { SmtpCommand, Verb } from './command.js';
import type { SmtpErrorCode } from './errors.js';
import type { MailParams, RcptParams } from './params.js';

/** The client's greeting: which verb it used and the name it gave. */
export interface Helo {
  readonly verb: 'EHLO' | 'HELO';
  readonly domain: string;
}

/** What outlives a mail transaction: greeting, TLS, authentication (RFC 4954 §4: once per session). */
export interface SessionContext {
  readonly helo: Helo | undefined;
  readonly tls: boolean;
  /** The SASL mechanism that succeeded, once AUTH has been answered with 235. */
  readonly authenticated: string | undefined;
}

/** An accepted recipient with its parameters. */
export interface Recipient {
  readonly forwardPath: ForwardPath;
  readonly params: RcptParams;
}

/** The envelope of the open mail transaction. */
export interface Envelope {
  readonly reversePath: ReversePath;
  readonly params: MailParams;
  readonly recipients: readonly Recipient[];
}

/** Every phase of a server session. */
export type SmtpServerState =
  | { readonly phase: 'greeting' } // before our 220
  | { readonly phase: 'refused' } // we answered the connection with 554: only QUIT (RFC 5321 §3.1)
  | { readonly phase: 'idle'; readonly ctx: SessionContext }
  | { readonly phase: 'auth'; readonly ctx: SessionContext; readonly mechanism: string } // RFC 4954 §4 exchange
  | { readonly phase: 'starttls'; readonly ctx: SessionContext } // 220 sent; the app is upgrading (RFC 3207 §4)
  | { readonly phase: 'envelope'; readonly ctx: SessionContext; readonly envelope: Envelope }
  | { readonly phase: 'data'; readonly ctx: SessionContext; readonly envelope: Envelope; readonly sizeBytes: number; readonly discard: SmtpErrorCode | undefined }
  // Between BDAT chunks (RFC 3030 §2): only BDAT, RSET, NOOP, QUIT and a new greeting.
  | { readonly phase: 'chunking'; readonly ctx: SessionContext; readonly envelope: Envelope; readonly sizeBytes: number }
  // Reading a BDAT chunk of exactly `remainingBytes` more octets. Without an envelope the chunk
  // belongs to a refused BDAT and is read only to stay in sync (RFC 3030 §2).
  | {
      readonly phase: 'bdat';
      readonly ctx: SessionContext;
      readonly envelope: Envelope | undefined;
      readonly remainingBytes: number;
      readonly last: boolean;
      readonly sizeBytes: number;
      readonly discard: SmtpErrorCode | undefined;
    }
  | { readonly phase: 'closed' }; // after QUIT, a 421, or a fatal error

/** What the session is waiting for the application to answer. */
export type Owed =
  | { readonly kind: 'greeting'; readonly earlyTalker: boolean }
  | { readonly kind: 'command'; readonly command: SmtpCommand }
  | { readonly kind: 'auth' }
  | { readonly kind: 'data-end'; readonly last: boolean }
  | { readonly kind: 'rejected'; readonly code: SmtpErrorCode; readonly next: SmtpServerState }
  | { readonly kind: 'timed-out' };

/** The phases in which the session reads command lines. */
export type CommandPhase = 'refused' | 'idle' | 'envelope' | 'chunking';

/**
 * Which verbs are legal in each command-reading phase (RFC 5321 §4.1.4). EHLO/HELO inside a
 * transaction act as RSET; a BDAT refused in 'idle' still has its chunk read (RFC 3030 §2).
 */
export const LEGAL: Readonly<Record<CommandPhase, ReadonlySet<Verb>>> = {
  refused: new Set<Verb>(['QUIT']),
  idle: new Set<Verb>(['EHLO', 'HELO', 'STARTTLS', 'AUTH', 'MAIL', 'RSET', 'NOOP', 'VRFY', 'EXPN', 'HELP', 'QUIT']),
  envelope: new Set<Verb>(['EHLO', 'HELO', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'VRFY', 'EXPN', 'HELP', 'QUIT']),
  chunking: new Set<Verb>(['EHLO', 'HELO', 'BDAT', 'RSET', 'NOOP', 'QUIT']),
};

/** Throw when a `switch` over a union was not exhaustive (the compiler checks the call site). */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}

/** The session context of a phase that has one. */
export function contextOf(state: SmtpServerState): SessionContext | undefined {
  return 'ctx' in state ? state.ctx : undefined;
}

/** Back to idle, keeping greeting, TLS and authentication (RSET, end of transaction: RFC 5321 §4.1.1.5). */
export const toIdle = (ctx: SessionContext): SmtpServerState => ({ phase: 'idle', ctx });

/** After EHLO/HELO answered 250: a new greeting implies RSET (RFC 5321 §4.1.4). */
export const greeted = (ctx: SessionContext, helo: Helo): SmtpServerState => ({ phase: 'idle', ctx: { ...ctx, helo } });

/** After MAIL answered 2xx: a transaction with no recipients yet. */
export const mailAccepted = (ctx: SessionContext, reversePath: ReversePath, params: MailParams): SmtpServerState => ({
  phase: 'envelope',
  ctx,
  envelope: { reversePath, params, recipients: [] },
});

/** After RCPT answered 2xx: one more recipient. */
export const rcptAccepted = (ctx: SessionContext, envelope: Envelope, recipient: Recipient): SmtpServerState => ({
  phase: 'envelope',
  ctx,
  envelope: { ...envelope, recipients: [...envelope.recipients, recipient] },
});

/** After STARTTLS negotiation (RFC 3207 §4.2): everything learnt before is forgotten, EHLO is needed again. */
export const tlsUp = (): SmtpServerState => ({ phase: 'idle', ctx: { helo: undefined, tls: true, authenticated: undefined } });
