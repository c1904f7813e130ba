/** What a command may touch besides the file system: its streams, environment and folder. */
import type { Readable, Writable } from 'node:stream';

/** Standard input as a command sees it: a TTY gets a no-echo prompt for passwords. */
export type CliInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** The signals that stop `serve`. */
export type StopSignal = 'SIGTERM' | 'SIGINT';

/** Where stop signals arrive (the process, in the bin). */
export interface SignalSource {
  on(signal: StopSignal, handler: () => void): unknown;
  off(signal: StopSignal, handler: () => void): unknown;
}

/** The world of one command run (process.* in the bin, pipes in tests). */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdin: CliInput;
  stdout: Writable;
  stderr: Writable;
  signals: SignalSource;
}
