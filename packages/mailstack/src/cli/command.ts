/** The shape of one `mailstack` command, as the dispatcher (main.ts) sees it. */
import type { CliContext } from './context.js';

/** A subcommand: its help texts and what it does. */
export interface Command {
  name: string;
  /** One line for `mailstack --help`. */
  summary: string;
  /** The whole `mailstack NAME --help` text. */
  help: string;
  /** Run with the arguments after the command name; throws CliError on failure. */
  run(argv: readonly string[], context: CliContext): Promise<void>;
}
