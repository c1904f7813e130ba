/** Find and load the config (-c, $MAILSTACK_CONFIG, ./mailstack.yaml, embedded default), or load one file. */
export { resolveConfig, loadConfigFile, DEFAULT_CONFIG_NAME, type ResolveConfigOptions } from './config/resolve.js';
/** Parse and validate config text (SPEC.md §2). */
export { parseConfig, type ParseConfigOptions } from './config/parse.js';
/** The embedded default config (SPEC.md §3) and the default values of each section. */
export { defaultConfig, DEFAULT_LISTEN, DEFAULT_LIMITS, DEFAULT_TIMEOUTS, DEFAULT_QUEUE, DEFAULT_MYNETWORKS } from './config/defaults.js';
/** A fault in a file the administrator maintains, with file and line. */
export { ConfigError, type ConfigErrorCode, type ConfigErrorLocation } from './config/errors.js';
/** IP networks (mynetworks) with IPv4-mapped IPv6 matching. */
export { NetworkList, parseIp, parseNetwork, type IpNetwork } from './config/networks.js';
/** Listener addresses and Postfix-style next hops. */
export { parseListenAddress, parseNextHop, isHostName, type ListenAddress, type NextHop } from './config/addresses.js';
/** Postfix-style durations ("5m", "4h", "5d") to milliseconds. */
export { parseDuration } from './config/units.js';
/** The validated config's types and the listener names. */
export { LISTENER_NAMES, type ListenerName, type MailstackConfig, type LimitsConfig, type TimeoutsConfig, type QueueConfig } from './config/types.js';
