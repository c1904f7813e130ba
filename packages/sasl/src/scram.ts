/**
 * SCRAM (RFC 5802) with SHA-1 or SHA-256 (RFC 7677), without channel binding (no -PLUS).
 *
 *   C: gs2-header client-first-message-bare        n,,n=user,r=<cnonce>
 *   S: server-first-message                        r=<cnonce><snonce>,s=<salt>,i=<iterations>
 *   C: client-final-message                        c=biws,r=<nonce>,p=<proof>
 *   S: server-final-message (as a challenge)       v=<server signature>
 *   C: (empty)                                     then the server reports success
 *
 * The server never sees the password: it checks H(proof XOR HMAC(StoredKey, AuthMessage)) ==
 * StoredKey (RFC 5802 §3). An unknown user gets a made-up salt and fails only at the proof, so
 * the exchange does not reveal whether the user exists (RFC 5802 §9 suggests it).
 */
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { EMPTY, decodeUtf8, utf8 } from './bytes.js';
import { failure, type ClientMechanism, type ServerMechanism } from './exchange.js';
import { authorizeAs } from './identity.js';
import { saslprep } from './saslprep.js';
import type { ScramClientCredentials } from './credentials.js';
import type { ScramCredentials, ScramHash } from './types.js';

/** RFC 7677 §4 and RFC 5802 §9: at least 4096 iterations; above the maximum a client refuses (CPU). */
export const SCRAM_MIN_ITERATIONS = 4096;
const SCRAM_MAX_ITERATIONS = 1_000_000;

const NODE_HASH: Record<ScramHash, { name: string; bytes: number }> = {
  'SHA-1': { name: 'sha1', bytes: 20 },
  'SHA-256': { name: 'sha256', bytes: 32 },
};
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// RFC 5802 §7: printable = %x21-2B / %x2D-7E (printable ASCII except ",").
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;

function hmac(hash: ScramHash, key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac(NODE_HASH[hash].name, key).update(data).digest();
}

function digest(hash: ScramHash, data: Uint8Array): Buffer {
  return createHash(NODE_HASH[hash].name).update(data).digest();
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]!));
}

function base64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64');
}

function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** RFC 5802 §5.1: in a saslname "," is "=2C" and "=" is "=3D". */
export function encodeSaslname(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function decodeSaslname(text: string): string | undefined {
  if (/=(?!2C|3D)/.test(text)) return undefined;
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** Split "k=v,k=v" into ordered attribute pairs; undefined when one is not "letter=value". */
function parseAttributes(text: string): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = [];
  for (const item of text.split(',')) {
    if (!/^[A-Za-z]=/.test(item)) return undefined;
    pairs.push([item[0]!, item.slice(2)]);
  }
  return pairs;
}

interface ScramKeys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

// RFC 5802 §3: SaltedPassword := Hi(Normalize(password), salt, i); Hi is PBKDF2 with HMAC.
function scramKeys(password: string, salt: Uint8Array, iterations: number, hash: ScramHash): ScramKeys {
  const salted = pbkdf2Sync(saslprep(password) ?? password, salt, iterations, NODE_HASH[hash].bytes, NODE_HASH[hash].name);
  const clientKey = hmac(hash, salted, 'Client Key');
  return { clientKey, storedKey: digest(hash, clientKey), serverKey: hmac(hash, salted, 'Server Key') };
}

/** RFC 5802 §3: the keys a server stores for a password, salt and iteration count. */
export function deriveScramCredentials(password: string, salt: Uint8Array, iterations: number, hash: ScramHash): ScramCredentials {
  const { storedKey, serverKey } = scramKeys(password, salt, iterations, hash);
  return { salt, iterations, storedKey, serverKey };
}

function fakeCredentials(hash: ScramHash, username: string, nonce: string): ScramCredentials {
  const salt = digest('SHA-256', utf8(`mailstack-scram-salt\0${username}`)).subarray(0, 16);
  const unguessable = digest(hash, utf8(`mailstack-scram-key\0${nonce}\0${username}`));
  return { salt, iterations: SCRAM_MIN_ITERATIONS, storedKey: unguessable, serverKey: unguessable };
}

interface ClientFirst {
  gs2Header: string;
  authzid: string | undefined;
  bare: string;
  username: string;
  clientNonce: string;
}

function parseClientFirst(text: string): ClientFirst | string {
  const [cbindFlag, authzField, ...bareParts] = text.split(',');
  if (cbindFlag === undefined || authzField === undefined) return 'missing GS2 header';
  // RFC 5802 §6: "p=" asks for channel binding, which we do not offer (no -PLUS mechanism);
  // "y" means the client could bind but believes we cannot: true, so it is fine.
  if (cbindFlag.startsWith('p=')) return 'channel binding is not supported';
  if (cbindFlag !== 'n' && cbindFlag !== 'y') return 'bad gs2-cbind-flag';
  let authzid: string | undefined;
  if (authzField !== '') {
    authzid = authzField.startsWith('a=') ? decodeSaslname(authzField.slice(2)) : undefined;
    if (!authzid) return 'bad authzid';
  }
  const bare = bareParts.join(',');
  const attributes = parseAttributes(bare);
  if (!attributes || attributes.length < 2) return 'bad client-first-message-bare';
  const [[nKey, nValue], [rKey, rValue]] = attributes as [[string, string], [string, string]];
  if (nKey === 'm') return 'mandatory extension not supported';
  const username = nKey === 'n' ? decodeSaslname(nValue) : undefined;
  if (!username || rKey !== 'r' || !PRINTABLE.test(rValue)) return 'bad username or nonce';
  return { gs2Header: `${cbindFlag},${authzField},`, authzid, bare, username, clientNonce: rValue };
}

interface ClientFinal {
  withoutProof: string;
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
}

function parseClientFinal(text: string): ClientFinal | undefined {
  const proofAt = text.lastIndexOf(',p=');
  const attributes = parseAttributes(text);
  if (proofAt < 0 || !attributes || attributes.length < 3) return undefined;
  const [[cKey, cValue], [rKey, rValue]] = attributes as [[string, string], [string, string]];
  const channelBinding = decodeBase64(cValue);
  const proof = decodeBase64(text.slice(proofAt + 3));
  if (cKey !== 'c' || rKey !== 'r' || !channelBinding || !proof) return undefined;
  return { withoutProof: text.slice(0, proofAt), channelBinding, nonce: rValue, proof };
}

export function scramServer(hash: ScramHash): ServerMechanism {
  return async function* (context, initialResponse) {
    const firstText = decodeUtf8(initialResponse ?? (yield EMPTY));
    const first = firstText === undefined ? 'not UTF-8' : parseClientFirst(firstText);
    if (typeof first === 'string') return failure(first.includes('not supported') ? 'unsupported' : 'malformed', `SCRAM: ${first}`);
    const username = saslprep(first.username);
    if (!username) return failure('malformed', 'SCRAM: user name prohibited by SASLprep');
    const stored = await context.lookup.getScramCredentials?.(username, hash);
    const credentials = stored ?? fakeCredentials(hash, username, context.nonce);
    const nonce = first.clientNonce + context.nonce;
    const serverFirst = `r=${nonce},s=${base64(credentials.salt)},i=${credentials.iterations}`;

    const finalText = decodeUtf8(yield utf8(serverFirst));
    const final = finalText === undefined ? undefined : parseClientFinal(finalText);
    if (!final) return failure('malformed', 'SCRAM: bad client-final-message');
    if (!final.channelBinding.equals(Buffer.from(first.gs2Header)) || final.nonce !== nonce) {
      return failure('malformed', 'SCRAM: channel binding or nonce mismatch');
    }
    const authMessage = `${first.bare},${serverFirst},${final.withoutProof}`;
    const clientSignature = hmac(hash, credentials.storedKey, authMessage);
    const clientKey = final.proof.length === clientSignature.length ? xor(final.proof, clientSignature) : clientSignature;
    const proven =
      stored !== undefined &&
      final.proof.length === clientSignature.length &&
      timingSafeEqual(digest(hash, clientKey), credentials.storedKey);
    if (!proven) return failure('invalid-credentials', 'authentication failed');
    const verdict = await authorizeAs(context.lookup, username, first.authzid);
    if (verdict.type === 'failure') return verdict;

    const serverSignature = hmac(hash, credentials.serverKey, authMessage);
    const ack = yield utf8(`v=${base64(serverSignature)}`);
    if (ack.length > 0) return failure('malformed', 'SCRAM: expected an empty response after server-final-message');
    return verdict;
  };
}

export function scramClient(hash: ScramHash, credentials: ScramClientCredentials): ClientMechanism {
  return function* (proof) {
    const gs2Header = `n,${credentials.authzid ? `a=${encodeSaslname(credentials.authzid)}` : ''},`;
    const bare = `n=${encodeSaslname(saslprep(credentials.username) ?? credentials.username)},r=${credentials.nonce}`;
    const serverFirst = decodeUtf8(yield utf8(gs2Header + bare)) ?? '';
    const attributes = parseAttributes(serverFirst);
    const fields = new Map(attributes ?? []);
    const nonce = fields.get('r') ?? '';
    const salt = decodeBase64(fields.get('s') ?? '');
    const iterations = Number(fields.get('i'));
    if (attributes?.[0]?.[0] === 'm') return failure('unsupported', 'SCRAM: mandatory extension not supported');
    if (!nonce.startsWith(credentials.nonce) || nonce.length === credentials.nonce.length || !PRINTABLE.test(nonce) || !salt) {
      return failure('malformed', 'SCRAM: bad server-first-message');
    }
    if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
      return failure('malformed', `SCRAM: iteration count ${fields.get('i')} outside ${SCRAM_MIN_ITERATIONS}..${SCRAM_MAX_ITERATIONS}`);
    }
    const keys = scramKeys(credentials.password, salt, iterations, hash);
    const withoutProof = `c=${base64(gs2Header)},r=${nonce}`;
    const authMessage = `${bare},${serverFirst},${withoutProof}`;
    const clientProof = xor(keys.clientKey, hmac(hash, keys.storedKey, authMessage));

    const serverFinal = decodeUtf8(yield utf8(`${withoutProof},p=${base64(clientProof)}`)) ?? '';
    if (serverFinal.startsWith('e=')) return failure('invalid-credentials', `SCRAM: server error ${serverFinal.slice(2)}`);
    const verifier = serverFinal.startsWith('v=') ? decodeBase64(serverFinal.slice(2).split(',')[0]!) : undefined;
    const expected = hmac(hash, keys.serverKey, authMessage);
    if (!verifier || verifier.length !== expected.length || !timingSafeEqual(verifier, expected)) {
      return failure('server-unverified', 'SCRAM: wrong server signature');
    }
    proof.verified = true;
    yield EMPTY;
    return undefined;
  };
}
