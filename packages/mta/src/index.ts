/** Configuration error of the MTA (aliases, transport map, networks), naming file:line or key. */
export { MtaConfigError, type MtaConfigErrorCode } from './routing/errors.js';
/** Envelope address helpers: split at "@", strip `+extension`, recognise Postmaster. */
export { splitAddress, splitExtension, isPostmaster, type SplitAddress, type LocalName } from './routing/address.js';
/** aliases(5) parser and the `:include:` list parser. */
export { parseAliases, parseIncludeFile, type AliasTable, type AliasEntry, type AliasTarget } from './routing/aliases.js';
/** Alias expansion with loop detection, depth limit and owner- lists (Postfix local(8)). */
export {
  AliasExpander,
  type AliasExpanderOptions,
  type Expansion,
  type ExpansionFailure,
  type FinalTarget,
} from './routing/alias-expansion.js';
/** Transport map (transport(5) semantics) and next-hop parsing. */
export { TransportMap, parseNextHop, parseHost, SMTP_PORT, type NextHop } from './routing/transport-map.js';
/** The DNS interface routing uses (node:dns/promises compatible) and error classification. */
export { classifyDnsError, type Resolver, type MxRecord, type DnsFailure } from './routing/resolver.js';
/** RFC 5321 §5.1 next-hop resolution: MX order, implicit MX, null MX, loop detection. */
export {
  lookupHops,
  addressLiteral,
  type Hop,
  type HopLookup,
  type HopTarget,
  type HopLookupContext,
  type AddressPreference,
} from './routing/mx.js';
/** Routing decisions: RCPT-time recipient checks and delivery-time routes. */
export { Router, type RouterOptions, type RecipientCheck, type Route } from './routing/router.js';
/** A reply decided by routing or policy (an smtp-core Reply shape). */
export { mtaReply, type MtaReply } from './routing/reply.js';
/** Durable queue spool (issue 4): enqueue with group commit, per-recipient status, hold/release, recovery, maildrop pickup. */
export { QueueSpool, type QueueSpoolOptions, type QueueEntry, type QueueRecipient } from './queue/spool.js';
/** A queued body held in memory (a fresh message): iterable, and its bytes at hand. */
export { MemoryBody } from './queue/memory-body.js';
/** The folder a queued message is in: 'active' | 'deferred' | 'hold'. */
export { type QueueState } from './queue/queue-dirs.js';
/** A delivery attempt's per-recipient results, as recordAttempt() takes them. */
export { type DeliveryResult, type AttemptRecord } from './queue/status-file.js';
/** What recover() found at start-up. */
export { type RecoveryReport } from './queue/recovery.js';
/** Local submission into `<dataDir>/queue/maildrop/` while the server is down (postdrop). */
export { writeMaildrop, type MaildropOptions } from './queue/maildrop.js';
/** What the spool records per message: envelope, DSN parameters (RFC 3461), client, recipient status. */
export {
  type EnqueueRequest,
  type RecipientParams,
  type DsnParams,
  type DsnNotify,
  type ClientInfo,
  type RecipientStatus,
} from './queue/envelope.js';
/** Sortable, unique, file-name-safe queue ids. */
export { formatQueueId, isQueueId, newQueueId, type QueueIdParts } from './queue/queue-id.js';
/** Errors of the queue spool. */
export { QueueError, type QueueErrorCode } from './queue/errors.js';
/** fsync counters of a spool (group commit). */
export { type SyncStats } from './queue/durability.js';
/** IP address parsing/formatting and network lists for mynetworks (IPv4, IPv6, IPv4-mapped). */
export { NetworkList, parseIp, formatIp, type IpAddress } from './policy/networks.js';
/** Relay, submission, sender-login and size policy decisions (pure). */
export {
  RelayPolicy,
  type RelayPolicyOptions,
  type SessionFacts,
  type ListenerKind,
  type PolicyDecision,
} from './policy/relay-policy.js';
/** anvil(8)-like per-client connection and message rate limits, time as an argument. */
export { ClientRateLimiter, type RateLimiterOptions } from './policy/rate-limiter.js';
/** Misuse of an MTA object by our own code (a bug in the caller). */
export { MtaUsageError } from './routing/errors.js';
/** Retry backoff arithmetic with the Postfix defaults. */
export { backoffMs, BACKOFF_DEFAULTS } from './scheduler/backoff.js';
/** Pure retry scheduler: deliver/bounce/delay-warning/complete/wake-at commands from outcomes. */
export {
  RetryScheduler,
  type SchedulerOptions,
  type ScheduledMessage,
  type ScheduledRecipient,
  type DeliveryOutcome,
  type BouncedRecipient,
  type SchedulerCommand,
} from './scheduler/scheduler.js';
/** The Received trace field (RFC 5321 §4.4) and its WITH protocol name (RFC 3848). */
export {
  formatReceived,
  receivedProtocol,
  type ReceivedInfo,
  type ReceivedProtocol,
  type ReceivedTls,
  type ProtocolFacts,
} from './received/received.js';
export { ReceivedFieldCache } from './received/received-cache.js';
/** RFC 3464 delivery status notifications (multipart/report) from MAILER-DAEMON. */
export {
  buildDsn,
  type DsnOptions,
  type DsnRecipient,
  type DsnAction,
  type ReturnedMessage,
} from './dsn/dsn.js';
/** Whether a DSN is due: NOTIFY (RFC 3461 §4.1), never to the null sender (RFC 5321 §6.1). */
export { shouldNotify, type NotifyKeyword, type NotifyQuestion } from './dsn/notify.js';
/** The notice kind and Subject for a set of actions (Postfix wording). */
export { dsnKind, DSN_SUBJECT, type DsnKind } from './dsn/human-text.js';
/** Return-Path and Delivered-To trace fields, and the Delivered-To loop check of local(8). */
export { formatReturnPath, formatDeliveredTo, hasDeliveredTo } from './received/trace.js';
