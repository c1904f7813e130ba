/**
 * The shapes an application plugs into Pop3Server: options, the user source, the logger.
 */
import type { SecureContext } from 'node:tls';
import type { CredentialLookup, SaslMechanismName } from '@mailstack/sasl';
import type { AuthFailureDelay } from '../auth/failure-delay.js';

/** A local user as the POP3 server needs it: the canonical name and the home holding `Maildir`. */
export interface Pop3User {
  readonly name: string;
  readonly home: string;
}

/**
 * Where users come from: SASL's CredentialLookup plus lookup by name and APOP. mailstack's
 * UserDirectory implements it.
 */
export interface Pop3UserSource extends CredentialLookup {
  find(nameOrAddress: string): Promise<Pop3User | undefined>;
  /** RFC 1939 §7: false for unknown users and for users whose secret cannot do APOP. */
  verifyApop(name: string, timestamp: string, digestHex: string): Promise<boolean>;
}

/** One listening address. */
export interface Pop3ListenOptions {
  readonly host: string;
  /** 0: any free port (read it back from the result). */
  readonly port: number;
  /** pop3s: TLS from the first byte (RFC 8314 §3.3); needs the server's `tls` option. */
  readonly implicitTls?: boolean;
}

/** A listener that is accepting connections. */
export interface Pop3Listening {
  readonly host: string;
  readonly port: number;
  readonly implicitTls: boolean;
}

/** One line per session end, plus TLS/auth/error lines. */
export interface Pop3LogRecord {
  readonly event: 'connect' | 'disconnect' | 'auth' | 'tls' | 'error';
  /** Unique per server ("p1", "p2", ...). */
  readonly connection: string;
  /** Dovecot-like text, e.g. `p7: disconnect user=<alice> rip=127.0.0.1 retr=2/8192 del=1/4096 size=8192 (QUIT)`. */
  readonly message: string;
  /** The authenticated user, once there is one. */
  readonly user?: string;
  readonly remoteAddress: string;
  /** On 'disconnect': messages and octets sent by RETR, deleted at UPDATE. */
  readonly retrieved?: { readonly count: number; readonly bytes: number };
  readonly deleted?: { readonly count: number; readonly bytes: number };
}

/** Where log lines go (e.g. `(r) => console.error(r.message)`). */
export type Pop3Logger = (record: Pop3LogRecord) => void;

/** Timeouts in milliseconds. */
export interface Pop3ServerTimeouts {
  /** Autologout (RFC 1939 §3: at least 10 minutes); default 600000 (config timeouts.pop3). */
  readonly idleMs?: number;
  /** TLS handshake after STLS or on pop3s; default 30000. */
  readonly tlsHandshakeMs?: number;
  /** How often the shared clock checks every connection; default 1000. */
  readonly tickMs?: number;
}

/** Options of a Pop3Server; `hostname` and `users` are required. */
export interface Pop3ServerOptions {
  /** Our name: APOP timestamp and the CRAM-MD5 challenge. */
  readonly hostname: string;
  readonly users: Pop3UserSource;
  /** Certificate for STLS and pop3s (TLS 1.2+); without it no STLS and no pop3s. */
  readonly tls?: SecureContext;
  /**
   * USER/PASS and the plaintext SASL mechanisms (PLAIN, LOGIN) without TLS from a non-loopback
   * client (SPEC.md §2 allowPlaintextAuth). Default false (RFC 2595 §3.1 advice).
   */
  readonly allowPlaintextAuth?: boolean;
  /** SASL mechanisms offered, in CAPA order; default PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256. */
  readonly mechanisms?: readonly SaslMechanismName[];
  /** Pause before each failed-login answer (Dovecot auth_failure_delay); default none. */
  readonly failureDelay?: AuthFailureDelay;
  /** Failed logins per connection before `-ERR [AUTH]` and close; default 5 (config limits.authFailures). */
  readonly maxAuthFailures?: number;
  /** Connections at once over all listeners; default 100. */
  readonly maxConnections?: number;
  /** Connections at once per client address; default 20. */
  readonly maxConnectionsPerIp?: number;
  readonly timeouts?: Pop3ServerTimeouts;
  readonly logger?: Pop3Logger;
}
