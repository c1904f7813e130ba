/** The validated configuration (SPEC.md §2): every path absolute, every default filled in. */
import type { ListenAddress, NextHop } from './addresses.js';
import type { NetworkList } from '@mailstack/mta';

/** The listeners of SPEC.md §2, by the role they play. */
export const LISTENER_NAMES = ['smtp', 'submission', 'submissions', 'pop3', 'pop3s', 'imap', 'imaps'] as const;
export type ListenerName = (typeof LISTENER_NAMES)[number];

export interface LimitsConfig {
  /** Bytes; SIZE advertised and enforced (RFC 1870). */
  messageSize: number;
  /** Recipients per SMTP transaction (Postfix smtpd_recipient_limit 1000). */
  recipients: number;
  /** Simultaneous connections over all listeners. */
  connections: number;
  /** Simultaneous connections from one client IP address. */
  connectionsPerIp: number;
  /** SMTP connections one client (network) may open per minute, 0 = off (Postfix smtpd_client_connection_rate_limit). */
  connectionRate: number;
  /** SMTP MAIL transactions one client (network) may start per minute, 0 = off (Postfix smtpd_client_message_rate_limit). */
  messageRate: number;
  /** Failed AUTH/login attempts on one connection before it is closed. */
  authFailures: number;
  /** Delay before answering a failed authentication, doubled per recent failure (Dovecot auth_failure_delay). */
  authFailureDelayMs: number;
  /** Cap on that delay. */
  authFailureMaxDelayMs: number;
}

export interface TimeoutsConfig {
  /** RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command. */
  smtpMs: number;
  /** RFC 1939 §3: POP3 inactivity autologout at least 10 minutes. */
  pop3Ms: number;
  /** RFC 9051 §5.4: IMAP inactivity autologout at least 30 minutes. */
  imapMs: number;
  /** On SIGTERM, how long in-flight transactions may take before the process exits. */
  shutdownMs: number;
}

export interface QueueConfig {
  retry: {
    /** First retry after a temporary failure (Postfix minimal_backoff_time 300s). */
    firstMs: number;
    /** Longest wait between retries (Postfix maximal_backoff_time 4000s). */
    maxMs: number;
    /** Bounce a message still undeliverable after this long (Postfix maximal_queue_lifetime 5d). */
    lifetimeMs: number;
  };
}

/** The whole configuration of one mailstack instance. */
export interface MailstackConfig {
  /** The config file it came from; undefined for the embedded default. */
  source: string | undefined;
  hostname: string;
  /** Final-destination domains, lower case (Postfix mydestination). */
  domains: string[];
  dataDir: string;
  users: string;
  tls: { cert: string; key: string } | undefined;
  listen: Partial<Record<ListenerName, ListenAddress[]>>;
  mynetworks: NetworkList;
  aliases: string | undefined;
  /** Lower-case domain → next hop. */
  transport: ReadonlyMap<string, NextHop>;
  relayhost: NextHop | undefined;
  filter: string | undefined;
  limits: LimitsConfig;
  timeouts: TimeoutsConfig;
  queue: QueueConfig;
  allowPlaintextAuth: boolean;
}
