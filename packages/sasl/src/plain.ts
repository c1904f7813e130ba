/** PLAIN (RFC 4616): one client message, [authzid] NUL authcid NUL passwd, in UTF-8. */
import { EMPTY, decodeUtf8, splitBytes, utf8 } from './bytes.js';
import { failure, type ClientMechanism, type ServerMechanism } from './exchange.js';
import { verifyThenAuthorize } from './identity.js';
import { saslprep } from './saslprep.js';
import type { PasswordCredentials } from './credentials.js';

export const plainServer: ServerMechanism = async function* (context, initialResponse) {
  // RFC 4616 §2: no initial response → an empty challenge, then the message.
  const message = initialResponse ?? (yield EMPTY);
  const fields = splitBytes(message, 0);
  if (fields.length !== 3) return failure('malformed', 'PLAIN expects authzid NUL authcid NUL passwd');
  const [authzid, authcidRaw, passwordRaw] = fields.map(decodeUtf8);
  if (authzid === undefined || authcidRaw === undefined || passwordRaw === undefined) {
    return failure('malformed', 'PLAIN message is not UTF-8');
  }
  // RFC 4616 §2: the server prepares authcid and passwd with SASLprep; neither may be empty.
  const authcid = saslprep(authcidRaw);
  const password = saslprep(passwordRaw);
  if (!authcid || !password) return failure('malformed', 'PLAIN authcid or passwd empty or prohibited (SASLprep)');
  return verifyThenAuthorize(context.lookup, authcid, password, authzid);
};

export function plainClient(credentials: PasswordCredentials): ClientMechanism {
  return function* () {
    const message = `${credentials.authzid ?? ''}\0${credentials.username}\0${credentials.password}`;
    yield utf8(message);
    return undefined;
  };
}
