/**
 * Argument parsing for the commands that follow GNU conventions (node:util parseArgs), with its
 * errors turned into one-line usage errors (exit 64). `sendmail` has its own parser, since
 * sendmail(1) flags like `-oi` and `-odi` are not GNU short-option bundles.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.js';

/** The option table of a command, in parseArgs' format. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

// --help and --version are answered by the dispatcher (main.ts) before a command parses; they
// are listed so that parseArgs does not call them unknown.
const COMMON_OPTIONS = {
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const satisfies OptionTable;

/** The -c FILE option of the commands that read the config (SPEC.md §1). */
export const CONFIG_OPTION = {
  config: { type: 'string', short: 'c' },
} as const satisfies OptionTable;

type ParseConfig<T extends OptionTable> = { args: string[]; options: T & typeof COMMON_OPTIONS; allowPositionals: true; strict: true };

/** What parseCommandArgs returns: `values` typed by the option table, and `positionals`. */
export type ParsedArgs<T extends OptionTable> = ReturnType<typeof parseArgs<ParseConfig<T>>>;

/** Parse a command's arguments; an unknown or malformed option is a CliError 'usage'. */
export function parseCommandArgs<T extends OptionTable>(command: string, argv: readonly string[], options: T): ParsedArgs<T> {
  try {
    const config: ParseConfig<T> = { args: [...argv], options: { ...options, ...COMMON_OPTIONS }, allowPositionals: true, strict: true };
    return parseArgs(config);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    // parseArgs' messages are several sentences of advice; the first one names the fault.
    const first = error.message.split('. ')[0] ?? error.message;
    throw usageError(command, first.replace(/\.$/, ''));
  }
}

/** A one-line usage error pointing at the command's --help. */
export function usageError(command: string, detail: string): CliError {
  return new CliError('usage', `mailstack ${command}: ${detail} (see mailstack ${command} --help)`);
}

/** Fail unless exactly the expected number of positionals is present. */
export function expectPositionals(command: string, positionals: readonly string[], names: readonly string[]): void {
  if (positionals.length < names.length) throw usageError(command, `missing ${names[positionals.length]}`);
  if (positionals.length > names.length) throw usageError(command, `unexpected argument "${positionals[names.length]}"`);
}
