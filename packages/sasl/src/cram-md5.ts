/**
 * CRAM-MD5 (RFC 2195): the server sends a unique msg-id-like challenge, the client answers
 * "user SP hex(HMAC-MD5(password, challenge))". The challenge's unique part comes from the
 * context (nonce and clock are inputs, STYLE.md §1).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeUtf8, toHex, utf8 } from './bytes.js';
import { failure, type ClientMechanism, type ServerMechanism } from './exchange.js';
import { hmacMd5FromContexts } from './hmac-md5.js';
import { authorizeAs } from './identity.js';
import { saslprep } from './saslprep.js';
import type { PasswordCredentials } from './credentials.js';
import type { CramSecret } from './types.js';

const DIGEST_HEX = /^[0-9a-f]{32}$/;

/** RFC 2195 §2: the challenge "<unique.timestamp@hostname>", e.g. <1896.697170952@postoffice.reston.mci.net>. */
export function cramMd5Challenge(nonce: string, now: number, hostname: string): string {
  return `<${nonce}.${Math.floor(now / 1000)}@${hostname}>`;
}

function cramDigest(secret: CramSecret, challenge: Uint8Array): Uint8Array {
  if (secret.type === 'plain') return createHmac('md5', secret.password).update(challenge).digest();
  return hmacMd5FromContexts(secret.contexts, challenge);
}

export const cramMd5Server: ServerMechanism = async function* (context, initialResponse) {
  // RFC 4422 §3.3: a server-first mechanism cannot take an initial response.
  if (initialResponse !== undefined && initialResponse.length > 0) {
    return failure('malformed', 'CRAM-MD5 takes no initial response');
  }
  const challenge = utf8(cramMd5Challenge(context.nonce, context.now, context.hostname));
  const text = decodeUtf8(yield challenge);
  const space = text?.lastIndexOf(' ') ?? -1;
  if (text === undefined || space <= 0) return failure('malformed', 'CRAM-MD5 expects "user digest"');
  const username = saslprep(text.slice(0, space));
  const digestHex = text.slice(space + 1).toLowerCase();
  if (!username || !DIGEST_HEX.test(digestHex)) return failure('malformed', 'CRAM-MD5 expects "user digest" with 32 hex digits');
  const secret = await context.lookup.getCramSecret?.(username);
  const matches = secret !== undefined && timingSafeEqual(Buffer.from(digestHex, 'hex'), cramDigest(secret, challenge));
  if (!matches) return failure('invalid-credentials', 'authentication failed');
  return authorizeAs(context.lookup, username, undefined);
};

export function cramMd5Client(credentials: PasswordCredentials): ClientMechanism {
  return function* () {
    const challenge = yield undefined;
    const digest = createHmac('md5', credentials.password).update(challenge).digest();
    yield utf8(`${credentials.username} ${toHex(digest)}`);
    return undefined;
  };
}
