/**
 * Errors about the files an administrator writes: the config, the users file, TLS material.
 * The message always starts with "file:line: " (or "file: " when no line applies), the format
 * compilers use, so editors can jump to the fault.
 */
export type ConfigErrorCode = 'syntax' | 'unknown-key' | 'invalid-value' | 'io';

export interface ConfigErrorLocation {
  file: string;
  line?: number;
}

/** A mistake in (or a failure to read) a file the administrator maintains. */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number | undefined;

  constructor(
    readonly code: ConfigErrorCode,
    detail: string,
    location: ConfigErrorLocation,
    options?: ErrorOptions,
  ) {
    super(`${location.file}${location.line === undefined ? '' : `:${location.line}`}: ${detail}`, options);
    this.name = new.target.name;
    this.file = location.file;
    this.line = location.line;
  }
}
