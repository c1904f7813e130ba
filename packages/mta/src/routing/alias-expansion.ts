/**
 * Alias expansion as Postfix local(8) does it, per recipient:
 *
 * - A local name is looked up with its extension first (`user+tag`), then without (`user`); the
 *   extension is carried to the local names the alias points to (propagate_unmatched_extensions).
 * - An alias that reaches itself (directly, `a: a, b`, or through a cycle) delivers to the
 *   mailbox of that name when it is a user, as local(8) does for self-references; a cycle through
 *   names that are not users is a loop and fails with 5.4.6 (RFC 3463 "Routing loop detected").
 * - Each alias and each include file is expanded at most once per recipient, so diamonds in the
 *   alias graph cost linear time and the same target is delivered once (Postfix's duplicate
 *   filter). Depth is capped as well (`maxDepth`).
 * - `owner-NAME`, when defined, receives delivery errors for targets reached through NAME
 *   (the sendmail/Postfix "owner-" convention): the target carries `errorsTo`.
 * - Commands and files listed in `:include:` files are refused unless allowed, as Postfix's
 *   allow_mail_to_commands/allow_mail_to_files default to "alias, forward" without "include".
 */
import { isPostmaster, splitAddress, splitExtension } from './address.js';
import { parseIncludeFile, type AliasTable, type AliasTarget } from './aliases.js';

/** Where a recipient finally goes after alias expansion. */
export type FinalTarget =
  | { kind: 'mailbox'; user: string; extension?: string; errorsTo?: string }
  | { kind: 'remote'; address: string; errorsTo?: string }
  | { kind: 'pipe'; command: string; alias: string; errorsTo?: string }
  | { kind: 'file'; path: string; alias: string; errorsTo?: string };

/** A part of the expansion that cannot be delivered; `status` is an RFC 3463 code. */
export interface ExpansionFailure {
  address: string;
  status: string;
  text: string;
}

/** The result of expanding one recipient. */
export interface Expansion {
  targets: FinalTarget[];
  failures: ExpansionFailure[];
}

/** What the expander needs to know about the local system. */
export interface AliasExpanderOptions {
  aliases: AliasTable;
  isLocalDomain(domain: string): boolean;
  isLocalUser(name: string): boolean;
  /** Reads a `:include:` file; without it, includes fail (5.3.0). */
  readInclude?(path: string): Promise<string>;
  /** Postfix recipient_delimiter; default "+", "" disables extensions. */
  recipientDelimiter?: string;
  /** Nesting limit of aliases and includes; default 20 (sendmail's MAXRCRSN is 10). */
  maxDepth?: number;
  /** Allow "|command" and "/file" inside :include: files; default false (Postfix default). */
  allowIncludeCommands?: boolean;
}

interface Context {
  depth: number;
  path: ReadonlySet<string>;
  alias: string;
  errorsTo?: string;
  fromInclude: boolean;
  recipientDomain: string;
}

/** Expands recipients through an alias table (aliases(5), Postfix local(8) semantics). */
export class AliasExpander {
  readonly #options: AliasExpanderOptions;
  readonly #delimiter: string;
  readonly #maxDepth: number;

  constructor(options: AliasExpanderOptions) {
    this.#options = options;
    this.#delimiter = options.recipientDelimiter ?? '+';
    this.#maxDepth = options.maxDepth ?? 20;
  }

  /** Expand one envelope recipient (at a local domain, or a bare local name) to final targets. */
  async expandRecipient(address: string): Promise<Expansion> {
    const run = new ExpansionRun(this.#options, this.#delimiter, this.#maxDepth);
    const { localPart, domain } = splitAddress(address);
    if (domain !== '' && !this.#options.isLocalDomain(domain)) {
      return { targets: [{ kind: 'remote', address }], failures: [] };
    }
    const ctx: Context = { depth: 0, path: new Set(), alias: '', fromInclude: false, recipientDomain: domain };
    await run.visitLocal(localPart, address, ctx);
    return run.result();
  }
}

// One expansion: owns the duplicate filter and the collected results.
class ExpansionRun {
  readonly #targets = new Map<string, FinalTarget>();
  readonly #failures: ExpansionFailure[] = [];
  readonly #expanded = new Set<string>();

  constructor(
    readonly options: AliasExpanderOptions,
    readonly delimiter: string,
    readonly maxDepth: number,
  ) {}

  result(): Expansion {
    return { targets: [...this.#targets.values()], failures: this.#failures };
  }

  async visitLocal(localPart: string, shown: string, ctx: Context): Promise<void> {
    const { full, base, extension } = splitExtension(localPart, this.delimiter);
    const key = this.options.aliases.has(full) ? full : base;
    const entry = this.options.aliases.get(key);
    if (!entry) return this.#mailbox(base, extension, shown, ctx);
    if (ctx.path.has(key)) {
      if (this.options.isLocalUser(base)) return this.#mailbox(base, extension, shown, ctx);
      return this.#fail(shown, '5.4.6', `alias loop through "${key}"`);
    }
    if (this.#expanded.has(`alias:${key}`)) return;
    if (ctx.depth >= this.maxDepth) return this.#fail(shown, '5.4.6', `alias nesting deeper than ${this.maxDepth}`);
    this.#expanded.add(`alias:${key}`);
    const owner = `owner-${key}`;
    const inner: Context = {
      ...ctx,
      depth: ctx.depth + 1,
      path: new Set([...ctx.path, key]),
      alias: key,
      errorsTo: this.options.aliases.has(owner) ? qualify(owner, ctx.recipientDomain) : ctx.errorsTo,
      fromInclude: false,
    };
    const carried = key === base ? extension : undefined;
    for (const target of entry.targets) await this.#visit(target, carried, inner);
  }

  async #visit(target: AliasTarget, extension: string | undefined, ctx: Context): Promise<void> {
    switch (target.kind) {
      case 'name':
        return this.visitLocal(withExtension(target.name, extension, this.delimiter), target.name, ctx);
      case 'mailbox':
        return this.#mailbox(target.name, extension, `\\${target.name}`, ctx);
      case 'address': {
        const { localPart, domain } = splitAddress(target.address);
        if (domain === '' || this.options.isLocalDomain(domain)) {
          return this.visitLocal(localPart, target.address, { ...ctx, recipientDomain: domain || ctx.recipientDomain });
        }
        return this.#add({ kind: 'remote', address: target.address, ...owner(ctx) });
      }
      case 'pipe':
        if (ctx.fromInclude && !this.options.allowIncludeCommands) {
          return this.#fail(`|${target.command}`, '5.7.1', 'mail to command is restricted in :include: files');
        }
        return this.#add({ kind: 'pipe', command: target.command, alias: ctx.alias, ...owner(ctx) });
      case 'file':
        if (ctx.fromInclude && !this.options.allowIncludeCommands) {
          return this.#fail(target.path, '5.7.1', 'mail to file is restricted in :include: files');
        }
        return this.#add({ kind: 'file', path: target.path, alias: ctx.alias, ...owner(ctx) });
      case 'include':
        return this.#include(target.path, ctx);
    }
  }

  async #include(path: string, ctx: Context): Promise<void> {
    const shown = `:include:${path}`;
    if (this.#expanded.has(`include:${path}`)) return;
    if (ctx.depth >= this.maxDepth) return this.#fail(shown, '5.4.6', `alias nesting deeper than ${this.maxDepth}`);
    this.#expanded.add(`include:${path}`);
    const read = this.options.readInclude;
    if (!read) return this.#fail(shown, '5.3.0', 'include files are not enabled');
    let targets: AliasTarget[];
    try {
      targets = parseIncludeFile(await read(path), path);
    } catch (err) {
      // Postfix local(8) defers when an include file cannot be read: the fault may be passing.
      const detail = err instanceof Error ? err.message : String(err);
      return this.#fail(shown, '4.3.0', `cannot read include file: ${detail}`);
    }
    const inner: Context = { ...ctx, depth: ctx.depth + 1, fromInclude: true };
    for (const target of targets) await this.#visit(target, undefined, inner);
  }

  #mailbox(base: string, extension: string | undefined, shown: string, ctx: Context): void {
    if (this.options.isLocalUser(base)) {
      return this.#add({ kind: 'mailbox', user: base, ...(extension === undefined ? {} : { extension }), ...owner(ctx) });
    }
    if (isPostmaster(base)) return this.#fail(shown, '5.3.0', 'no postmaster alias or user configured');
    this.#fail(shown, '5.1.1', 'user unknown');
  }

  #add(target: FinalTarget): void {
    const key = targetKey(target);
    if (!this.#targets.has(key)) this.#targets.set(key, target);
  }

  #fail(address: string, status: string, text: string): void {
    this.#failures.push({ address, status, text });
  }
}

function targetKey(target: FinalTarget): string {
  switch (target.kind) {
    case 'mailbox':
      return `mailbox:${target.user}+${target.extension ?? ''}`;
    case 'remote':
      return `remote:${target.address}`;
    case 'pipe':
      return `pipe:${target.command}`;
    case 'file':
      return `file:${target.path}`;
  }
}

function owner(ctx: Context): { errorsTo?: string } {
  return ctx.errorsTo === undefined ? {} : { errorsTo: ctx.errorsTo };
}

function qualify(name: string, domain: string): string {
  return domain === '' ? name : `${name}@${domain}`;
}

function withExtension(name: string, extension: string | undefined, delimiter: string): string {
  if (extension === undefined || delimiter === '') return name;
  return `${name}${delimiter.charAt(0)}${extension}`;
}
