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
