/**
 * The local delivery agent (Postfix local(8)): a recipient at one of our domains is expanded
 * through the aliases, and each final target is delivered:
 *
 *   mailbox  the user's `home/Maildir` through mailstore (fsync before it counts as delivered),
 *            with Return-Path and Delivered-To prepended (SPEC.md §7: the rest is byte-identical)
 *   remote   handed back to the queue as a new message (forwarding, as local(8) does via cleanup)
 *   pipe     `"|command"`: /bin/sh -c with the message on stdin and a timeout (pipe-command.ts)
 *   file     `/path`: appended in mbox format (mbox-file.ts)
 *
 * The recipient's outcome is the worst of its targets: one permanent failure bounces it, else one
 * temporary failure defers it (and the targets already delivered may get a duplicate on retry,
 * as with Postfix when one alias member fails).
 */
import { MaildirFolder } from '@mailstack/mailstore';
import { formatDeliveredTo, formatReturnPath, splitAddress, type FinalTarget, type MtaReply, type Router } from '@mailstack/mta';
import { appendMbox } from './mbox-file.js';
import { type QueuedMessage, type RecipientOutcome, withPrefix } from './outcome.js';
import { runPipeCommand } from './pipe-command.js';

/** A local user as delivery needs it. */
export interface LocalMailbox {
  readonly name: string;
  readonly home: string;
}

/** What the local agent needs from the rest of the server. */
export interface LocalAgentOptions {
  readonly router: Router;
  /** Our host name: Maildir file names, the domain of Delivered-To for a bare local name. */
  readonly hostname: string;
  /** The user as last loaded (refreshUsers keeps it current). */
  readonly findUser: (name: string) => Promise<LocalMailbox | undefined>;
  /**
   * Brings the router's view of the local users up to date before a recipient is expanded: mail
   * from the maildrop (`mailstack sendmail`) never passed RCPT, where the SMTP side refreshes it.
   * Called unforced before each recipient (the callee may rate-limit its check of the users file),
   * and forced when a recipient turned out unknown, so that mail to a user added while `serve`
   * runs is delivered rather than bounced; the recipient is then expanded again.
   */
  readonly refreshUsers?: (force: boolean) => Promise<void> | undefined;
  /** Queue a copy of the message for remote alias members; resolves with the new queue id. */
  readonly forward: (message: QueuedMessage, sender: string, recipients: readonly string[], deliveredTo: string) => Promise<string>;
  /** Longest run of a `|command` target (Postfix command_time_limit 1000s). */
  readonly commandTimeoutMs: number;
}

// The enhanced status of an expansion failure for a name that is not a user (alias-expansion.ts).
const UNKNOWN_USER = '5.1.1';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const reply = (code: number, enhanced: string, text: string): MtaReply => ({ code, enhanced, text });

/** Delivers recipients at local domains. */
export class LocalDeliveryAgent {
  readonly #options: LocalAgentOptions;
  readonly #folders = new Map<string, Promise<MaildirFolder>>();

  constructor(options: LocalAgentOptions) {
    this.#options = options;
  }

  /** Deliver one message to one local recipient (an address at a local domain, or a bare name). */
  async deliver(message: QueuedMessage, recipient: string): Promise<RecipientOutcome> {
    await this.#options.refreshUsers?.(false);
    let expansion = await this.#options.router.expandRecipient(recipient);
    if (this.#options.refreshUsers && expansion.failures.some((f) => f.status === UNKNOWN_USER)) {
      await this.#options.refreshUsers(true);
      expansion = await this.#options.router.expandRecipient(recipient);
    }
    const results: RecipientOutcome[] = expansion.failures.map((f) => ({
      recipient,
      outcome: f.status.startsWith('5') ? 'permanent' : 'transient',
      reply: reply(f.status.startsWith('5') ? 550 : 450, f.status, `<${f.address}>: ${f.text}`),
      relay: 'local',
    }));
    const remote = expansion.targets.flatMap((t) => (t.kind === 'remote' ? [t] : []));
    if (remote.length > 0) {
      const sender = remote[0]?.errorsTo ?? message.sender;
      results.push(
        await this.#attempt(recipient, 'forward', async () => {
          const id = await this.#options.forward(message, sender, remote.map((t) => t.address), recipient);
          return reply(250, '2.0.0', `forwarded as ${id}`);
        }),
      );
    }
    for (const target of expansion.targets) {
      if (target.kind !== 'remote') results.push(await this.#deliverTarget(message, recipient, target));
    }
    if (results.length === 0) return { recipient, outcome: 'permanent', reply: reply(550, '5.1.1', `<${recipient}>: alias expands to nothing`), relay: 'local' };
    return results.find((r) => r.outcome === 'permanent') ?? results.find((r) => r.outcome === 'transient') ?? merged(recipient, results);
  }

  async #deliverTarget(message: QueuedMessage, recipient: string, target: Exclude<FinalTarget, { kind: 'remote' }>): Promise<RecipientOutcome> {
    const { domain } = splitAddress(recipient);
    switch (target.kind) {
      case 'mailbox': {
        const user = await this.#options.findUser(target.user);
        if (user === undefined) return { recipient, outcome: 'permanent', reply: reply(550, '5.1.1', `<${target.user}>: user unknown`), relay: 'local' };
        const deliveredTo = `${user.name}@${domain === '' ? this.#options.hostname : domain.toLowerCase()}`;
        const trace = formatReturnPath(message.sender) + formatDeliveredTo(deliveredTo);
        return this.#attempt(recipient, 'local', async () => {
          const folder = await this.#folder(`${user.home}/Maildir`);
          const unique = await folder.deliver(withPrefix(trace, await message.openBody()));
          return reply(250, '2.0.0', `delivered to maildir as ${unique}`);
        });
      }
      case 'pipe':
        return this.#attempt(recipient, 'local', () =>
          runPipeCommand(target.command, {
            input: async () => withPrefix(formatReturnPath(message.sender) + formatDeliveredTo(recipient), await message.openBody()),
            env: { SENDER: message.sender, RECIPIENT: recipient, ALIAS: target.alias },
            timeoutMs: this.#options.commandTimeoutMs,
          }),
        );
      case 'file':
        return this.#attempt(recipient, 'local', async () => {
          await appendMbox(target.path, message.sender, withPrefix(formatReturnPath(message.sender) + formatDeliveredTo(recipient), await message.openBody()));
          return reply(250, '2.0.0', `delivered to file: ${target.path}`);
        });
    }
  }

  // An I/O failure (disk full, permissions) is temporary: the message stays queued (STYLE.md §5).
  async #attempt(recipient: string, relay: string, work: () => Promise<MtaReply>): Promise<RecipientOutcome> {
    try {
      const answer = await work();
      const outcome = answer.code < 300 ? 'delivered' : answer.code >= 500 ? 'permanent' : 'transient';
      return { recipient, outcome, reply: answer, relay };
    } catch (error) {
      return { recipient, outcome: 'transient', reply: reply(451, '4.3.0', `local delivery failed: ${(error as Error).message}`), relay };
    }
  }

  /** Remove stale tmp/ files (older than 36 h) of the Maildirs delivered to; resolves with how many. */
  async cleanupTmp(): Promise<number> {
    let removed = 0;
    for (const folder of this.#folders.values()) removed += (await (await folder).cleanupTmp()).length;
    return removed;
  }

  #folder(path: string): Promise<MaildirFolder> {
    let folder = this.#folders.get(path);
    if (folder === undefined) {
      folder = MaildirFolder.open(path, { host: this.#options.hostname, lockWait: { wait: (attempt) => sleep(Math.min(100, 5 * attempt)) } });
      folder.catch(() => this.#folders.delete(path));
      this.#folders.set(path, folder);
    }
    return folder;
  }
}

function merged(recipient: string, results: readonly RecipientOutcome[]): RecipientOutcome {
  if (results.length === 1) return results[0]!;
  return { recipient, outcome: 'delivered', reply: reply(250, '2.0.0', results.map((r) => r.reply.text).join('; ')), relay: 'local' };
}
