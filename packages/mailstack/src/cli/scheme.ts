/** The --scheme option of passwd and user add (Dovecot's scheme names, any case). */
import { PASSWORD_SCHEMES, type PasswordScheme } from '../auth/schemes.js';
import { usageError } from './args.js';

/** Like `doveadm pw`, but SHA512-CRYPT rather than CRYPT as the default. */
export const DEFAULT_SCHEME: PasswordScheme = 'SHA512-CRYPT';

/** The scheme named by --scheme, or the default; an unknown name is a usage error. */
export function parseSchemeOption(command: string, value: string | undefined): PasswordScheme {
  if (value === undefined) return DEFAULT_SCHEME;
  const name = value.replace(/^\{|\}$/g, '').toUpperCase();
  const scheme = PASSWORD_SCHEMES.find((s) => s === name);
  if (!scheme) throw usageError(command, `unknown scheme "${value}" (known: ${PASSWORD_SCHEMES.join(', ')})`);
  return scheme;
}
