/**
 * `mailstack queue [list | flush | delete ID | hold ID | release ID]`: mailq, postqueue -f and
 * postsuper -d/-h/-H over the spool of the config's dataDir. The spool's folders are its state
 * (@mailstack/mta), so these work with the server running or not: each change is one rename.
 */
import { QueueError, QueueSpool } from '@mailstack/mta';
import { resolveConfig } from '../config/resolve.js';
import { requestFlush } from '../delivery/flush-trigger.js';
import { CONFIG_OPTION, expectPositionals, parseCommandArgs, usageError } from './args.js';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import { listMaildrop } from './maildrop-entries.js';
import { formatQueueList } from './queue-format.js';

const HELP = `Usage: mailstack queue [list]            [-c FILE]
       mailstack queue flush              [-c FILE]
       mailstack queue delete|hold|release ID [-c FILE]

  list      every queued message (mailq): queue id, size, arrival, sender, and each recipient
            with its status and last error. After the id: * due now, ! on hold, ^ still in the
            maildrop (written by sendmail, not yet picked up); no mark: deferred
  flush     retry every deferred message now (postqueue -f); with mailstack serve not
            running, when it next starts
  delete    remove a message without delivering it (postsuper -d)
  hold      keep a message from being delivered until released (postsuper -h)
  release   release a held message for delivery now (postsuper -H)

Options:
  -c, --config FILE   config file (default $MAILSTACK_CONFIG, ./mailstack.yaml, embedded default)
      --help, --version
`;

/** The queue command. */
export const queueCommand: Command = {
  name: 'queue',
  summary: 'list the queue, flush it, delete/hold/release a message (mailq, postsuper)',
  help: HELP,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs('queue', argv, CONFIG_OPTION);
    const [action = 'list', ...rest] = positionals;
    const config = await resolveConfig({ flagPath: values.config, env: context.env, cwd: context.cwd });
    const spool = await openSpool(config.dataDir);
    switch (action) {
      case 'list':
        expectPositionals('queue list', rest, []);
        return list(spool, config.dataDir, context);
      case 'flush':
        expectPositionals('queue flush', rest, []);
        return flush(config.dataDir, context);
      case 'delete':
      case 'hold':
      case 'release': {
        expectPositionals(`queue ${action}`, rest, ['ID']);
        const id = rest[0]!;
        await onMessage(id, () => spool[action](id));
        if (action === 'release') await requestFlush(config.dataDir); // so a running server picks it up now
        context.stdout.write(`${id}: ${action === 'delete' ? 'deleted' : action === 'hold' ? 'on hold' : 'released'}\n`);
        return;
      }
      default:
        throw usageError('queue', `unknown action "${action}" (list, flush, delete, hold or release)`);
    }
  },
};

async function openSpool(dataDir: string): Promise<QueueSpool> {
  try {
    return await QueueSpool.open(dataDir);
  } catch (error) {
    throw new CliError('failed', `mailstack queue: ${(error as Error).message}`, { cause: error });
  }
}

async function list(spool: QueueSpool, dataDir: string, context: CliContext): Promise<void> {
  const entries = [...(await listMaildrop(dataDir)), ...(await spool.list())].sort((a, b) => (a.id < b.id ? -1 : 1));
  context.stdout.write(formatQueueList(entries));
}

// The running server's queue manager watches for the trigger file (delivery/flush-trigger.ts):
// it makes every deferred message due now and picks up released ones; with no server running,
// that happens at its next start.
async function flush(dataDir: string, context: CliContext): Promise<void> {
  await requestFlush(dataDir);
  context.stdout.write(`flush requested: mailstack serve retries every deferred message now (or when it next starts)\n`);
}

async function onMessage(id: string, change: () => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (error instanceof QueueError && (error.code === 'not-found' || error.code === 'wrong-state')) {
      throw new CliError('failed', `mailstack queue: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
