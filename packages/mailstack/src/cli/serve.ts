/**
 * `mailstack serve [-c FILE]`: postfix + dovecot in one process. Starts every listener of the
 * config (src/serve: startServer), logs to stderr, and on SIGTERM or SIGINT stops accepting and
 * lets open transactions finish for up to `timeouts.shutdown` before exiting 0. A second signal
 * stops waiting (exit 1).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MtaConfigError } from '@mailstack/mta';
import { ConfigError } from '../config/errors.js';
import { resolveConfig } from '../config/resolve.js';
import { logRecord, streamLogger } from '../log/maillog.js';
import { type RunningServer, startServer } from '../serve/index.js';
import { CONFIG_OPTION, expectPositionals, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import type { SignalSource, StopSignal } from './context.js';
import { CliError } from './errors.js';

const HELP = `Usage: mailstack serve [-c FILE]

Runs the mail system: the SMTP, submission and POP3 listeners of the config, the queue manager
(local delivery into <home>/Maildir, remote delivery by SMTP, retries, bounces) and the pickup
of messages written by mailstack sendmail. Logs one line per event on standard error.

Without -c, $MAILSTACK_CONFIG or ./mailstack.yaml it runs the embedded default: data in
./mailstack-data, listeners on 127.0.0.1 (smtp 2525, submission 2587, submissions 2465,
pop3 2110, pop3s 2995), a self-signed certificate, and on first start a user "postmaster"
whose random password is printed once.

SIGTERM or SIGINT: stop accepting, finish open transactions (timeouts.shutdown, default 30s),
exit 0. A second signal exits at once (status 1).

Options:
  -c, --config FILE   config file
      --help, --version
`;

/** The serve command. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the SMTP/submission/POP3 listeners and the queue manager',
  help: HELP,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs('serve', argv, CONFIG_OPTION);
    expectPositionals('serve', positionals, []);
    const config = await resolveConfig({ flagPath: values.config, env: context.env, cwd: context.cwd });
    // A fresh machine: the folders of the data and of the users file (created with postmaster).
    for (const dir of new Set([config.dataDir, dirname(config.users)])) await mkdir(dir, { recursive: true, mode: 0o700 });
    const stopping = firstSignal(context.signals);
    const logger = streamLogger(context.stderr);
    let server: RunningServer;
    try {
      server = await startServer(config, { logger });
    } catch (error) {
      if (error instanceof ConfigError || error instanceof MtaConfigError) throw error; // a bad users, aliases or TLS file: exit 78
      throw new CliError('failed', `mailstack serve: cannot start: ${(error as Error).message}`, { cause: error });
    }
    const signal = await stopping;
    logger(logRecord('serve', `${signal}: stopping (a second signal exits at once)`));
    await Promise.race([
      server.close(),
      firstSignal(context.signals).then((again) => {
        throw new CliError('failed', `mailstack serve: ${again}: exiting without waiting for open transactions`);
      }),
    ]);
  },
};

// The first of SIGTERM/SIGINT; the listeners are removed once it has come.
function firstSignal(signals: SignalSource): Promise<StopSignal> {
  return new Promise((resolve) => {
    const handlers = (['SIGTERM', 'SIGINT'] as const).map((name) => {
      const handler = (): void => {
        for (const [n, h] of handlers) signals.off(n, h);
        resolve(name);
      };
      signals.on(name, handler);
      return [name, handler] as const;
    });
  });
}
