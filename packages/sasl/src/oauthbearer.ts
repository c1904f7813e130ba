/**
 * OAUTHBEARER (RFC 7628): the client sends a GS2 header and key/value pairs separated by 0x01,
 * among them auth=Bearer <token>. This package only parses; the application validates the
 * token (CredentialLookup.validateBearerToken). On rejection the server sends the JSON error as
 * a challenge, the client answers with a lone 0x01, and the exchange fails (RFC 7628 §3.2.2).
 */
import { EMPTY, decodeUtf8, utf8 } from './bytes.js';
import { failure, type ClientMechanism, type ServerMechanism } from './exchange.js';
import { authorizeAs } from './identity.js';
import { encodeSaslname } from './scram.js';
import type { BearerCredentials } from './credentials.js';
import type { BearerTokenRequest, BearerTokenVerdict } from './types.js';

const KVSEP = '\x01';
// RFC 7628 §3.1: key = 1*(ALPHA); value = *(VCHAR / SP / HTAB / CR / LF).
const KVPAIR = /^([A-Za-z]+)=([\x21-\x7e \t\r\n]*)$/;
// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

function parseGs2Authzid(header: string): string | undefined | false {
  const [flag, authz, rest] = header.split(',');
  if ((flag !== 'n' && flag !== 'y') || authz === undefined || rest !== '') return false;
  if (authz === '') return undefined;
  if (!authz.startsWith('a=') || /=(?!2C|3D)/.test(authz.slice(2))) return false;
  return authz.slice(2).replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function parseClientResponse(text: string): BearerTokenRequest | undefined {
  const parts = text.split(KVSEP);
  // gs2-header kvsep *(kvpair kvsep) kvsep: the split ends in two empty strings.
  if (parts.length < 3 || parts.at(-1) !== '' || parts.at(-2) !== '') return undefined;
  const authzid = parseGs2Authzid(parts[0]!);
  if (authzid === false) return undefined;
  const pairs = new Map<string, string>();
  for (const item of parts.slice(1, -2)) {
    const match = KVPAIR.exec(item);
    if (!match) return undefined;
    pairs.set(match[1]!.toLowerCase(), match[2]!);
  }
  const token = BEARER.exec(pairs.get('auth') ?? '')?.[1];
  const port = pairs.has('port') ? Number(pairs.get('port')) : undefined;
  if (token === undefined || (port !== undefined && !Number.isInteger(port))) return undefined;
  return { token, authzid, host: pairs.get('host'), port };
}

function errorJson(verdict: Extract<BearerTokenVerdict, { valid: false }>): string {
  return JSON.stringify({
    status: verdict.status,
    ...(verdict.scope === undefined ? {} : { scope: verdict.scope }),
    ...(verdict.openidConfiguration === undefined ? {} : { 'openid-configuration': verdict.openidConfiguration }),
  });
}

export const oauthBearerServer: ServerMechanism = async function* (context, initialResponse) {
  const text = decodeUtf8(initialResponse ?? (yield EMPTY));
  const request = text === undefined ? undefined : parseClientResponse(text);
  if (!request) return failure('malformed', 'OAUTHBEARER: bad client response');
  const validate = context.lookup.validateBearerToken;
  if (!validate) return failure('unsupported', 'OAUTHBEARER: no token validator configured');
  const verdict = await validate.call(context.lookup, request);
  if (verdict.valid) return authorizeAs(context.lookup, verdict.authcid, request.authzid);
  const ack = yield utf8(errorJson(verdict));
  if (ack.length !== 1 || ack[0] !== 1) return failure('malformed', 'OAUTHBEARER: expected 0x01 after the error');
  return failure('invalid-credentials', `OAUTHBEARER: ${verdict.status}`);
};

export function oauthBearerClient(credentials: BearerCredentials): ClientMechanism {
  return function* () {
    const pairs = [
      ...(credentials.host === undefined ? [] : [`host=${credentials.host}`]),
      ...(credentials.port === undefined ? [] : [`port=${credentials.port}`]),
      `auth=Bearer ${credentials.token}`,
    ];
    const gs2Header = `n,${credentials.authzid ? `a=${encodeSaslname(credentials.authzid)}` : ''},`;
    const serverError = yield utf8(`${gs2Header}${KVSEP}${pairs.map((p) => p + KVSEP).join('')}${KVSEP}`);
    // RFC 7628 §3.2.3: answer the error challenge with a dummy 0x01 so the server can fail.
    const detail = decodeUtf8(serverError) ?? '';
    yield utf8(KVSEP);
    return failure('invalid-credentials', `OAUTHBEARER: ${detail}`);
  };
}
