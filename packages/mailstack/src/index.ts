/** Find and load the config (-c, $MAILSTACK_CONFIG, ./mailstack.yaml, embedded default), or load one file. */
export { resolveConfig, loadConfigFile, DEFAULT_CONFIG_NAME, type ResolveConfigOptions } from './config/resolve.js';
/** Parse and validate config text (SPEC.md §2). */
export { parseConfig, type ParseConfigOptions } from './config/parse.js';
/** The embedded default config (SPEC.md §3) and the default values of each section. */
export { defaultConfig, DEFAULT_LISTEN, DEFAULT_LIMITS, DEFAULT_TIMEOUTS, DEFAULT_QUEUE, DEFAULT_MYNETWORKS } from './config/defaults.js';
/** A fault in a file the administrator maintains, with file and line. */
export { ConfigError, type ConfigErrorCode, type ConfigErrorLocation } from './config/errors.js';
/** IP networks (mynetworks; the MTA's, IPv4-mapped IPv6 clients match IPv4 networks). */
export { NetworkList } from '@mailstack/mta';
/** Listener addresses and Postfix-style next hops. */
export { parseListenAddress, parseNextHop, isHostName, type ListenAddress, type NextHop } from './config/addresses.js';
/** Postfix-style durations ("5m", "4h", "5d") to milliseconds. */
export { parseDuration } from './config/units.js';
/** The validated config's types and the listener names. */
export { LISTENER_NAMES, type ListenerName, type MailstackConfig, type LimitsConfig, type TimeoutsConfig, type QueueConfig } from './config/types.js';
/** The local users from the users file: lookup by name/address, SASL CredentialLookup, APOP. */
export { UserDirectory, type LocalUser, type UserDirectoryOptions } from './auth/user-directory.js';
/** Parse, edit and rewrite a Dovecot passwd-file, keeping untouched lines as they were. */
export { UsersFile, formatUserLine, checkUserEntry, type UserEntry } from './auth/users-file.js';
/** Dovecot password schemes: parse "{SCHEME}secret", verify, hash, capabilities (APOP/CRAM-MD5/SCRAM). */
export {
  PASSWORD_SCHEMES,
  parseStoredSecret,
  verifySecret,
  verifySecretAsync,
  hashPassword,
  secretCapabilities,
  parseScramSecret,
  type PasswordScheme,
  type StoredSecret,
  type SecretCapabilities,
} from './auth/schemes.js';
/** Glibc-compatible SHA-crypt ($5$, $6$). */
export { shaCrypt, shaCryptAsync, parseShaCryptSettings, shaCryptSalt, type ShaCryptSettings, type ShaCryptAlgorithm } from './auth/sha-crypt.js';
/** Failed-authentication delay policy (Dovecot auth_failure_delay), clock passed in. */
export { AuthFailureDelay, type AuthFailureDelayOptions, type AuthAttempt } from './auth/failure-delay.js';
/** TLS certificate and key for the listeners: configured files or a generated self-signed pair (TLS 1.2+). */
export { loadTlsMaterial, TLS_MIN_VERSION, type TlsMaterial, type LoadTlsOptions } from './tls/material.js';
/** Load (missing = empty) and atomically save the users file, for the commands that edit it. */
export { loadUsersFile, saveUsersFile } from './auth/users-store.js';
/** SMTP server over node:net/tls: listeners, limits, STARTTLS, AUTH, streaming bodies, graceful close. */
export { SmtpServer, SmtpServerError, type SmtpListening } from './smtp/server.js';
/** SmtpServer's options, handler hooks, session view and logger shapes. */
export type {
  SmtpServerOptions,
  SmtpServerHandlers,
  SmtpServerTimeouts,
  SmtpAuthOptions,
  SmtpListenOptions,
  SmtpRole,
  SmtpConnectionInfo,
  SmtpSessionInfo,
  SmtpVerdict,
  SmtpLogger,
  SmtpLogRecord,
} from './smtp/types.js';
/** The streaming message body given to onData, and the error it throws when the message is incomplete. */
export { SmtpBodyStream, SmtpBodyAbortedError } from './smtp/body.js';
/** Which SASL mechanisms an SMTP connection is offered (SPEC.md §2 policy). */
export { offeredMechanisms, DEFAULT_SMTP_MECHANISMS, type AuthOfferContext } from './smtp/auth.js';
/** POP3 server over node:net/tls and mailstore: pop3/pop3s listeners, maildrop lock, STLS, AUTH, streaming RETR. */
export { Pop3Server, Pop3ServerError } from './pop3/server.js';
/** Pop3Server's options, user source, listener and logger shapes. */
export type { Pop3ServerOptions, Pop3ServerTimeouts, Pop3User, Pop3UserSource, Pop3ListenOptions, Pop3Listening, Pop3Logger, Pop3LogRecord } from './pop3/types.js';
/** The SASL mechanisms POP3 offers when none are configured. */
export { DEFAULT_POP3_MECHANISMS } from './pop3/auth.js';
/** SMTP client over node:net/tls: STARTTLS/implicit TLS, AUTH, pipelined DATA/BDAT, per-recipient results. */
export {
  SmtpClient,
  SmtpClientError,
  type SmtpClientConnectOptions,
  type SmtpClientTlsMode,
  type SmtpSendOptions,
  type SmtpAuthCredentials,
} from './smtp/client.js';
/** POP3 client over node:net/tls: plain, STLS or pop3s, APOP/SASL/USER login, streamed and pipelined RETR. */
export {
  Pop3Client,
  Pop3ClientError,
  type Pop3ClientErrorCode,
  type Pop3ClientConnectOptions,
  type Pop3TlsMode,
  type Pop3LoginMethod,
  type Pop3RetrievedMessage,
} from './pop3/client.js';
/** Start every listener of a config with the MTA behind them (what `mailstack serve` runs). */
export { startServer, type StartServerOptions, type RunningServer, type ServeListener } from './serve/index.js';
/** Ask a running server to retry every deferred message now (what `mailstack queue flush` does). */
export { requestFlush } from './delivery/flush-trigger.js';
/** Postfix maillog-style log records and a logger writing one line per record. */
export { streamLogger, type Logger, type LogRecord, type LogComponent, type LogLevel } from './log/maillog.js';
