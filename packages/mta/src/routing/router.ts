/**
 * The router answers two questions, the first at RCPT time and the second at delivery time:
 *
 * 1. `checkRecipient(address)`: is this one of ours, and does it exist? Unknown local names are
 *    rejected with 550 5.1.1 (SPEC.md §7) so we never accept mail we would have to bounce;
 *    Postmaster is always accepted (RFC 5321 §4.5.1). Whether a remote recipient may be relayed
 *    to is RelayPolicy's question, not this one.
 * 2. `route(address)`: where does it go? Postfix trivial-rewrite order: the transport map first
 *    (it can override even local domains), then the local domains (mydestination), then the
 *    relayhost, then the recipient domain's MX (RFC 5321 §5.1, see mx.ts).
 */
import { AliasExpander, type Expansion } from './alias-expansion.js';
import { isPostmaster, splitAddress, splitExtension } from './address.js';
import type { AliasTable } from './aliases.js';
import { addressLiteral, lookupHops, type AddressPreference, type Hop, type HopTarget } from './mx.js';
import { mtaReply, type MtaReply } from './reply.js';
import type { Resolver } from './resolver.js';
import { parseHost, SMTP_PORT, TransportMap, type NextHop } from './transport-map.js';

/** Configuration of a Router (the config file's domains, aliases, transport, relayhost). */
export interface RouterOptions {
  /** Our host name (HELO name), used for loop detection among MX hosts. */
  hostname: string;
  /** Final-destination domains (Postfix mydestination). */
  localDomains: readonly string[];
  /** Whether a (lower-case, extension-less) name is a local user. */
  isLocalUser(name: string): boolean;
  aliases?: AliasTable;
  /** Reads `:include:` files for alias expansion. */
  readInclude?(path: string): Promise<string>;
  /** Postfix recipient_delimiter; default "+", "" disables. */
  recipientDelimiter?: string;
  /** Transport map entries (`domain: nexthop`, transport(5) semantics). */
  transport?: Readonly<Record<string, string>>;
  /** Smarthost for all non-local mail: `[host]:port` or `host:port` (MX of host). */
  relayhost?: string | null;
  resolver: Resolver;
  /** Uniform in [0, 1) for MX shuffling; default Math.random. */
  random?: () => number;
  /** Postfix smtp_mx_address_limit; default 5. */
  maxAddresses?: number;
  /** Which address family to try first; default ipv4. */
  addressPreference?: AddressPreference;
}

/** The answer to RCPT TO: a local or remote recipient, or the reply rejecting it. */
export type RecipientCheck = { kind: 'local' } | { kind: 'remote' } | { kind: 'rejected'; reply: MtaReply };

/**
 * Where a recipient goes: local delivery, a list of SMTP hops (with the destination name that
 * scheduling and concurrency are keyed on), or a failure (permanent when reply.code is 5xx).
 */
export type Route =
  | { kind: 'local'; address: string }
  | { kind: 'remote'; destination: string; hops: Hop[] }
  | { kind: 'failed'; reply: MtaReply };

/** Decides recipients at RCPT time and routes them at delivery time. */
export class Router {
  readonly #options: RouterOptions;
  readonly #localDomains: ReadonlySet<string>;
  readonly #transport: TransportMap;
  readonly #relayhost: NextHop | undefined;
  readonly #expander: AliasExpander;
  readonly #delimiter: string;

  /** Throws MtaConfigError for a bad transport entry or relayhost. */
  constructor(options: RouterOptions) {
    this.#options = options;
    this.#localDomains = new Set(options.localDomains.map((d) => d.toLowerCase()));
    this.#transport = new TransportMap(options.transport ?? {});
    this.#relayhost = options.relayhost ? parseHost(options.relayhost, 'relayhost') : undefined;
    this.#delimiter = options.recipientDelimiter ?? '+';
    this.#expander = new AliasExpander({
      aliases: options.aliases ?? new Map(),
      isLocalDomain: (d) => this.isLocalDomain(d),
      isLocalUser: options.isLocalUser,
      recipientDelimiter: this.#delimiter,
      ...(options.readInclude ? { readInclude: options.readInclude } : {}),
    });
  }

  /** Whether mail for `domain` is delivered here (mydestination, unless the transport map says otherwise). */
  isLocalDomain(domain: string): boolean {
    return this.#nextHop(domain.toLowerCase()).kind === 'local';
  }

  /** RCPT TO check: local recipients must exist (550 5.1.1); remote ones are for RelayPolicy. */
  checkRecipient(address: string): RecipientCheck {
    const { localPart, domain } = splitAddress(address);
    if (domain !== '' && !this.isLocalDomain(domain)) return { kind: 'remote' };
    if (isPostmaster(localPart)) return { kind: 'local' };
    const { full, base } = splitExtension(localPart, this.#delimiter);
    const aliases = this.#options.aliases;
    if (aliases?.has(full) || aliases?.has(base) || this.#options.isLocalUser(base)) return { kind: 'local' };
    return {
      kind: 'rejected',
      reply: mtaReply(550, '5.1.1', `<${address}>: Recipient address rejected: User unknown in local recipient table`),
    };
  }

  /** Expand a local recipient through the aliases (local(8)); remote addresses come back as is. */
  expandRecipient(address: string): Promise<Expansion> {
    return this.#expander.expandRecipient(address);
  }

  /** Route one recipient: local, the SMTP hops to try in order, or why it cannot be routed. */
  async route(address: string): Promise<Route> {
    const { domain } = splitAddress(address);
    if (domain === '') return { kind: 'local', address };
    return this.#routeVia(this.#nextHop(domain), address, domain);
  }

  /**
   * The destination a recipient's delivery is scheduled under, without DNS (Postfix qmgr's
   * transport:nexthop queue name): "local", a configured next hop such as "[127.0.0.1]:2626",
   * an error entry as "error:domain", or the recipient domain for MX routing.
   */
  destinationOf(address: string): string {
    const { domain } = splitAddress(address);
    if (domain === '') return 'local';
    const hop = this.#nextHop(domain);
    switch (hop.kind) {
      case 'local':
        return 'local';
      case 'error':
        return `error:${domain}`;
      case 'direct':
        return domain;
      case 'smtp':
        return smtpDestination(hop.host, hop.port, hop.mxLookup);
    }
  }

  // Deviation from Postfix: the "*" transport entry does not capture our own domains (in Postfix
  // it does, a well-known surprise); explicit entries do, as in Postfix.
  #nextHop(domain: string): NextHop {
    const local = this.#localDomains.has(domain);
    const mapped = this.#transport.lookup(domain, !local);
    if (mapped) return mapped;
    if (local) return { kind: 'local' };
    return this.#relayhost ?? { kind: 'direct' };
  }

  async #routeVia(hop: NextHop, address: string, domain: string): Promise<Route> {
    switch (hop.kind) {
      case 'local':
        return { kind: 'local', address };
      case 'error':
        return { kind: 'failed', reply: mtaReply(hop.permanent ? 550 : 450, hop.enhanced, hop.text) };
      case 'direct':
        return this.#smtp({ host: domain, port: SMTP_PORT, mxLookup: addressLiteral(domain) === undefined, configured: false }, domain);
      case 'smtp': {
        const destination = smtpDestination(hop.host, hop.port, hop.mxLookup);
        return this.#smtp({ host: hop.host, port: hop.port, mxLookup: hop.mxLookup, configured: true }, destination);
      }
    }
  }

  async #smtp(target: HopTarget, destination: string): Promise<Route> {
    const result = await lookupHops(target, {
      resolver: this.#options.resolver,
      random: this.#options.random ?? Math.random,
      myHostnames: new Set([this.#options.hostname.toLowerCase().replace(/\.$/, '')]),
      maxAddresses: this.#options.maxAddresses ?? 5,
      addressPreference: this.#options.addressPreference ?? 'ipv4',
    });
    return result.ok ? { kind: 'remote', destination, hops: result.hops } : { kind: 'failed', reply: result.reply };
  }
}

function smtpDestination(host: string, port: number, mxLookup: boolean): string {
  return mxLookup ? `${host}:${port}` : `[${host}]:${port}`;
}
