/** Errors, the peer-error table, redaction (STYLE.md §5). */
export { MailError, LocalProtocolError, REPLY_FOR, redact, type Pop3ErrorCode } from './errors.js';
/** Command codec (RFC 1939, RFC 2449 §3, RFC 5034 §4). */
export {
  decodeCommand,
  encodeCommand,
  parseCommand,
  formatCommand,
  MAX_COMMAND_BYTES,
  type Pop3Command,
  type Pop3Verb,
  type CommandErrorCode,
  type ParsedCommand,
} from './command.js';
/** Response codec (RFC 1939 §3, RFC 2449 §8). */
export { encodeStatusLine, decodeStatusLine, encodeReply, type Pop3Reply, type Pop3Response, type RespCode } from './reply.js';
/** Streaming byte-stuffing (RFC 1939 §3). */
export { MultilineEncoder, MultilineDecoder, type DecodeStep } from './multiline.js';
/** Streaming TOP helper (RFC 1939 §7). */
export { topFilter, type TopFilter } from './top-filter.js';
/** APOP digests and timestamps (RFC 1939 §7). */
export { apopDigest, apopMatches, parseApopTimestamp, formatApopTimestamp } from './apop.js';
/** Strict base64 for SASL exchanges (RFC 5034 §4). */
export { decodeBase64Strict, encodeBase64 } from './base64.js';
/** The maildrop description passed at login (RFC 1939 §5). */
export { assertMaildrop, type Maildrop, type MessageInfo, type ListingEntry, type MarkedMaildrop } from './maildrop.js';
/** The server session and its events (RFC 1939, RFC 2449, RFC 2595, RFC 5034). */
export { Pop3ServerSession, type Pop3ServerOptions, type Pop3ServerEvent } from './server.js';
/** The client session and its events. */
export {
  Pop3ClientSession,
  type Pop3ClientOptions,
  type Pop3ClientEvent,
  type Pop3ClientCommand,
  type Pop3ClientState,
  type Pop3ClientErrorCode,
  type SaslClient,
  type ScanListing,
  type UidListing,
} from './client.js';
/** Session states (RFC 1939 §3 names). */
export { type Pop3ServerState, type LoginStep } from './state.js';
/** CAPA parsing (RFC 2449 §5). */
export { parseCapabilities, type Pop3Capabilities } from './capabilities.js';
