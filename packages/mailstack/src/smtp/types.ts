/**
 * The shapes an application plugs into SmtpServer: options, the per-session view handlers get,
 * the handlers themselves (the MTA's hooks) and the logger.
 */
import type { SecureContext } from 'node:tls';
import type { CredentialLookup, SaslMechanismName } from '@mailstack/sasl';
import type { Envelope, ForwardPath, Helo, MailParams, RcptParams, Reply, ReversePath } from '@mailstack/smtp-core';
import type { AuthFailureDelay } from '../auth/failure-delay.js';

/**
 * What a listener serves: 'smtp' (inbound MTA, port 25's role) or 'submission' (RFC 6409: AUTH
 * required before MAIL; with implicit TLS it is 'submissions', RFC 8314 §3.3).
 */
export type SmtpRole = 'smtp' | 'submission';

/** One listening address of a server. */
export interface SmtpListenOptions {
  readonly host: string;
  /** 0: any free port (read it back from the result). */
  readonly port: number;
  readonly role?: SmtpRole;
  /** TLS from the first byte (RFC 8314); needs the server's `tls` option. */
  readonly implicitTls?: boolean;
}

/** A connection as the server sees it before the greeting. */
export interface SmtpConnectionInfo {
  /** Unique per server, for logs ("c1", "c2", ...). */
  readonly id: string;
  /** Client address, IPv4-mapped IPv6 unwrapped. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly role: SmtpRole;
}

/** What handlers learn about the session at each hook. */
export interface SmtpSessionInfo extends SmtpConnectionInfo {
  readonly tls: boolean;
  readonly helo: Helo | undefined;
  /** The SASL authentication identity once AUTH succeeded (RFC 4954 §4). */
  readonly user: string | undefined;
}

/** A handler's verdict on MAIL or RCPT: undefined accepts (250), a Reply refuses or answers. */
export type SmtpVerdict = Reply | undefined;

/**
 * The hooks the MTA plugs in. Each may be async; the connection stops reading while one runs.
 * A handler that throws is answered with 451 4.3.0 (and logged), never crashes the server.
 */
export interface SmtpServerHandlers {
  /** Before the greeting: undefined to greet, or a reply (554 5.7.1 refuses, RFC 5321 §3.1). */
  onConnect?(info: SmtpConnectionInfo): SmtpVerdict | Promise<SmtpVerdict>;
  /** MAIL FROM passed the protocol checks. */
  onMailFrom?(reversePath: ReversePath, params: MailParams, session: SmtpSessionInfo): SmtpVerdict | Promise<SmtpVerdict>;
  /** RCPT TO passed the protocol checks (e.g. refuse with 550 5.1.1 for an unknown user). */
  onRcptTo?(forwardPath: ForwardPath, params: RcptParams, session: SmtpSessionInfo): SmtpVerdict | Promise<SmtpVerdict>;
  /**
   * A message is arriving: read `body` to its end, store it durably, then resolve with the reply
   * (250 2.0.0 Ok: queued as ID). Called as soon as the body starts (after 354, or with the first
   * BDAT chunk), so it streams. If the body iterator throws SmtpBodyAbortedError the message is
   * incomplete and must not be kept.
   */
  onData(envelope: Envelope, body: AsyncIterable<Uint8Array>, session: SmtpSessionInfo): Promise<Reply>;
}

/** One log line: Postfix-like text plus the fields it was made from. */
export interface SmtpLogRecord {
  readonly event: 'connect' | 'disconnect' | 'transaction' | 'auth' | 'tls' | 'error';
  readonly connection: string;
  readonly message: string;
}

/** Where log lines go (e.g. `(r) => console.error(r.message)`). */
export type SmtpLogger = (record: SmtpLogRecord) => void;

/** Authentication for AUTH (RFC 4954). */
export interface SmtpAuthOptions {
  /** Checks credentials; mailstack's UserDirectory implements it. */
  readonly lookup: CredentialLookup;
  /** Offered mechanisms, in EHLO order; default PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256. */
  readonly mechanisms?: readonly SaslMechanismName[];
  /** Pause before each 535 (Dovecot auth_failure_delay); default none. */
  readonly failureDelay?: AuthFailureDelay;
  /** Failed AUTHs per connection before "421 4.7.0" and close; default 5 (config limits.authFailures). */
  readonly maxFailures?: number;
  /**
   * Offer plaintext mechanisms (PLAIN, LOGIN) without TLS to non-loopback clients, and AUTH on
   * the smtp role without TLS (SPEC.md §2 allowPlaintextAuth). Default false.
   */
  readonly allowPlaintextAuth?: boolean;
}

/** Timeouts in milliseconds. */
export interface SmtpServerTimeouts {
  /** Idle client (RFC 5321 §4.5.3.2.7: at least 5 minutes); default 300000. */
  readonly idleMs?: number;
  /** TLS handshake after STARTTLS or on an implicit-TLS listener; default 30000. */
  readonly tlsHandshakeMs?: number;
  /** How often the clock checks every connection; default 1000. */
  readonly tickMs?: number;
}

/** Options of an SmtpServer; only `hostname` is required. */
export interface SmtpServerOptions {
  /** Our name: banner, 421 replies, Received lines of the MTA. */
  readonly hostname: string;
  /** Greeting text after the name; default "ESMTP mailstack". */
  readonly banner?: string;
  /** Certificate for STARTTLS and implicit TLS (TLS 1.2+, SPEC.md §6); without it, no STARTTLS. */
  readonly tls?: SecureContext;
  readonly auth?: SmtpAuthOptions;
  /** SIZE (RFC 1870) in octets; default 52428800 (SPEC.md §2 limits.messageSize). */
  readonly maxMessageBytes?: number;
  /** Recipients per transaction; default 1000. */
  readonly maxRecipients?: number;
  /** Command line limit in octets incl. CRLF (core default 2048). */
  readonly maxLineBytes?: number;
  /** Connections at once, over all listeners; default 100. */
  readonly maxConnections?: number;
  /** Connections at once per client address; default 20. */
  readonly maxConnectionsPerIp?: number;
  readonly timeouts?: SmtpServerTimeouts;
  /** Unread body bytes buffered for a slow onData before reading the socket pauses; default 262144. */
  readonly bodyHighWaterBytes?: number;
  readonly logger?: SmtpLogger;
}
