/**
 * LOGIN (draft-murchison-sasl-login-00): the server prompts "Username:" then "Password:"; the
 * client answers each with the bare value. Obsolete but still what many clients try first.
 */
import { decodeUtf8, utf8 } from './bytes.js';
import { failure, type ClientMechanism, type ServerMechanism } from './exchange.js';
import { verifyThenAuthorize } from './identity.js';
import { saslprep } from './saslprep.js';
import type { PasswordCredentials } from './credentials.js';

const USERNAME_PROMPT = utf8('Username:');
const PASSWORD_PROMPT = utf8('Password:');

export const loginServer: ServerMechanism = async function* (context, initialResponse) {
  // Lenient: some clients (Outlook, msmtp) send the user name as an initial response.
  const usernameBytes = initialResponse !== undefined && initialResponse.length > 0 ? initialResponse : yield USERNAME_PROMPT;
  const passwordBytes = yield PASSWORD_PROMPT;
  const usernameRaw = decodeUtf8(usernameBytes);
  const passwordRaw = decodeUtf8(passwordBytes);
  if (usernameRaw === undefined || passwordRaw === undefined) return failure('malformed', 'LOGIN values are not UTF-8');
  const username = saslprep(usernameRaw);
  const password = saslprep(passwordRaw);
  if (!username || !password) return failure('malformed', 'LOGIN user name or password empty or prohibited (SASLprep)');
  return verifyThenAuthorize(context.lookup, username, password, undefined);
};

/** The client answers the first challenge with the user name and the second with the password,
 *  whatever the prompt text says (servers word them differently). */
export function loginClient(credentials: PasswordCredentials): ClientMechanism {
  return function* () {
    yield undefined;
    yield utf8(credentials.username);
    yield utf8(credentials.password);
    return undefined;
  };
}
