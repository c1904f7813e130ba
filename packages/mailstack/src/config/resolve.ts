/**
 * Which config a command uses (SPEC.md §1): `-c FILE`, else $MAILSTACK_CONFIG, else
 * ./mailstack.yaml, else the embedded default (SPEC.md §3).
 */
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { defaultConfig } from './defaults.js';
import { ConfigError } from './errors.js';
import { parseConfig } from './parse.js';
import type { MailstackConfig } from './types.js';

/** The file name looked for in the working directory. */
export const DEFAULT_CONFIG_NAME = 'mailstack.yaml';

export interface ResolveConfigOptions {
  /** The `-c FILE` argument, if given. */
  flagPath?: string | undefined;
  /** The environment; only MAILSTACK_CONFIG is read. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where relative paths and ./mailstack.yaml are looked up; default process.cwd(). */
  cwd?: string;
  /** The OS host name; default os.hostname(). */
  hostname?: string;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/** Read and validate one config file; throws ConfigError (code 'io' when unreadable). */
export async function loadConfigFile(file: string, hostname: string = osHostname()): Promise<MailstackConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('io', `cannot read config file: ${(error as Error).message}`, { file }, { cause: error });
  }
  return parseConfig(text, { file, hostname });
}

/** Find and load the config a command should use. */
export async function resolveConfig(options: ResolveConfigOptions = {}): Promise<MailstackConfig> {
  const cwd = options.cwd ?? process.cwd();
  const hostname = options.hostname ?? osHostname();
  const explicit = options.flagPath ?? options.env?.['MAILSTACK_CONFIG'];
  if (explicit !== undefined && explicit !== '') return loadConfigFile(resolve(cwd, explicit), hostname);
  const local = resolve(cwd, DEFAULT_CONFIG_NAME);
  try {
    return parseConfig(await readFile(local, 'utf8'), { file: local, hostname });
  } catch (error) {
    if (isNotFound(error)) return defaultConfig({ baseDir: cwd, hostname });
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('io', `cannot read config file: ${(error as Error).message}`, { file: local }, { cause: error });
  }
}
