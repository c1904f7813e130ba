/** Checks shared by the mechanisms once they have an identity: password, then authorization. */
import { failure, type ServerFinal } from './exchange.js';
import type { CredentialLookup } from './types.js';

/**
 * Decide the authorization identity (RFC 4422 §3.4.1): none requested, or the same as the
 * authentication identity, is fine; anything else needs the lookup's consent.
 */
export async function authorizeAs(lookup: CredentialLookup, authcid: string, authzid: string | undefined): Promise<ServerFinal> {
  if (authzid === undefined || authzid === '' || authzid === authcid) return { type: 'success', authcid, authzid: authcid };
  const allowed = (await lookup.authorize?.(authcid, authzid)) ?? false;
  if (!allowed) return failure('unauthorized-authzid', `${authcid} may not act as ${authzid}`);
  return { type: 'success', authcid, authzid };
}

/** Verify a plaintext password (PLAIN, LOGIN), then the requested authorization identity. */
export async function verifyThenAuthorize(
  lookup: CredentialLookup,
  authcid: string,
  password: string,
  authzid: string | undefined,
): Promise<ServerFinal> {
  if (!(await lookup.verifyPassword(authcid, password))) return failure('invalid-credentials', 'authentication failed');
  return authorizeAs(lookup, authcid, authzid);
}
