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
