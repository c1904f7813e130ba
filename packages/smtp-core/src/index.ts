// @mailstack/smtp-core: the only importable entry point (STYLE.md §10).
export { SmtpServerSession, expectsReply, type SmtpServerOptions, type SmtpServerEvent } from './server.js';
export { SmtpClientSession, heloFallback, authChallenge, type SmtpClientEvent, type SmtpClientOptions, type SmtpClientTimeouts, type ReplyTarget } from './client.js';
export { SmtpClientTransaction, type TransactionEnvelope, type TransactionResult, type RecipientResult } from './transaction.js';
export { parseCapabilities, NO_CAPABILITIES, type SmtpCapabilities } from './capabilities.js';
export { DotStuffer } from './dot-stuff.js';
export { DEFAULT_EXTENSIONS, type SmtpServerExtensions } from './extensions.js';
export { LEGAL, type SmtpServerState, type SessionContext, type Envelope, type Recipient, type Helo, type CommandPhase } from './state.js';
export {
  decodeCommand,
  decodeCommandLine,
  encodeCommand,
  type SmtpCommand,
  type Verb,
  type CommandError,
  type DecodeCommandOptions,
} from './command.js';
export { decodeReply, encodeReply, replyLines, isValidReply, type Reply } from './reply.js';
export { parsePath, parseMailbox, formatPath, formatMailbox, isDomain, isAddressLiteral, isDotString, type Mailbox, type ReversePath, type ForwardPath, type PathError } from './address.js';
export { parseMailParams, parseRcptParams, formatMailParams, formatRcptParams, type MailParams, type RcptParams, type BodyType, type NotifyCondition, type ParamError } from './params.js';
export { decodeXtext, encodeXtext } from './xtext.js';
export { MailError, LocalProtocolError, REPLY_FOR, type SmtpErrorCode } from './errors.js';
export type { DecodeResult } from './decode-result.js';
