/**
 * ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 esmtp-param = esmtp-keyword ["=" esmtp-value]).
 * MAIL: SIZE (RFC 1870 §3), BODY (RFC 6152 §2, RFC 3030 §3), SMTPUTF8 (RFC 6531 §3.4),
 * RET/ENVID (RFC 3461 §4.3-4.4), AUTH (RFC 4954 §5). RCPT: NOTIFY/ORCPT (RFC 3461 §4.1-4.2).
 * Keywords are case-insensitive; each may appear once.
 */
import { decodeXtext, encodeXtext } from './xtext.js';

/** The BODY= values: RFC 6152 (8BITMIME) and RFC 3030 (BINARYMIME). */
export type BodyType = '7BIT' | '8BITMIME' | 'BINARYMIME';

/** Parameters of MAIL FROM. */
export interface MailParams {
  /** SIZE=, the declared message size in octets (RFC 1870 §3). */
  readonly sizeBytes?: number;
  readonly body?: BodyType;
  /** SMTPUTF8 was given (RFC 6531 §3.4). */
  readonly smtputf8?: boolean;
  /** RET=FULL|HDRS (RFC 3461 §4.3). */
  readonly ret?: 'FULL' | 'HDRS';
  /** ENVID=, xtext-decoded (RFC 3461 §4.4). */
  readonly envid?: string;
  /** AUTH=, xtext-decoded; "<>" when the submitter is unknown (RFC 4954 §5). */
  readonly auth?: string;
}

/** A DSN notification condition (RFC 3461 §4.1). */
export type NotifyCondition = 'SUCCESS' | 'FAILURE' | 'DELAY';

/** Parameters of RCPT TO. */
export interface RcptParams {
  /** NOTIFY=NEVER or a list of conditions (RFC 3461 §4.1). */
  readonly notify?: 'NEVER' | readonly NotifyCondition[];
  /** ORCPT=addr-type;xtext, decoded (RFC 3461 §4.2). */
  readonly orcpt?: { readonly addrType: string; readonly address: string };
}

/** Why a parameter list was refused: unknown keyword (555) or bad value/duplicate (501). */
export type ParamError = 'unknown-parameter' | 'bad-parameter';

type Parsed<T> = { ok: true; value: T } | { ok: false; error: ParamError; keyword: string };

// RFC 5321 §4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-");
// esmtp-value = 1*(%d33-60 / %d62-126), widened to UTF-8 by RFC 6531 §3.3.
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const VALUE = /^[^\x00-\x20=\x7f]+$/;

function split(text: string): Parsed<Map<string, string | undefined>> {
  const map = new Map<string, string | undefined>();
  for (const item of text.split(' ').filter((t) => t !== '')) {
    const eq = item.indexOf('=');
    const keyword = (eq < 0 ? item : item.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? undefined : item.slice(eq + 1);
    if (!KEYWORD.test(keyword) || (value !== undefined && !VALUE.test(value)) || map.has(keyword)) {
      return { ok: false, error: 'bad-parameter', keyword };
    }
    map.set(keyword, value);
  }
  return { ok: true, value: map };
}

const bad = (keyword: string): Parsed<never> => ({ ok: false, error: 'bad-parameter', keyword });

/** Parse the parameters after MAIL FROM:<path>. */
export function parseMailParams(text: string): Parsed<MailParams> {
  const items = split(text);
  if (!items.ok) return items;
  const out: { -readonly [K in keyof MailParams]: MailParams[K] } = {};
  for (const [keyword, value] of items.value) {
    switch (keyword) {
      case 'SIZE':
        if (value === undefined || !/^\d{1,20}$/.test(value)) return bad(keyword);
        out.sizeBytes = Number(value);
        break;
      case 'BODY': {
        const body = value?.toUpperCase();
        if (body !== '7BIT' && body !== '8BITMIME' && body !== 'BINARYMIME') return bad(keyword);
        out.body = body;
        break;
      }
      case 'SMTPUTF8':
        if (value !== undefined) return bad(keyword);
        out.smtputf8 = true;
        break;
      case 'RET': {
        const ret = value?.toUpperCase();
        if (ret !== 'FULL' && ret !== 'HDRS') return bad(keyword);
        out.ret = ret;
        break;
      }
      case 'ENVID':
      case 'AUTH': {
        const decoded = value === undefined ? undefined : decodeXtext(value);
        // RFC 3461 §4.4: ENVID is at most 100 characters.
        if (decoded === undefined || (keyword === 'ENVID' && value !== undefined && value.length > 100)) return bad(keyword);
        if (keyword === 'ENVID') out.envid = decoded;
        else out.auth = decoded;
        break;
      }
      default:
        return { ok: false, error: 'unknown-parameter', keyword };
    }
  }
  return { ok: true, value: out };
}

/** Parse the parameters after RCPT TO:<path>. */
export function parseRcptParams(text: string): Parsed<RcptParams> {
  const items = split(text);
  if (!items.ok) return items;
  const out: { -readonly [K in keyof RcptParams]: RcptParams[K] } = {};
  for (const [keyword, value] of items.value) {
    if (keyword === 'NOTIFY') {
      const list = (value ?? '').toUpperCase().split(',');
      if (list.length === 1 && list[0] === 'NEVER') out.notify = 'NEVER';
      else if (list.every((c) => c === 'SUCCESS' || c === 'FAILURE' || c === 'DELAY') && new Set(list).size === list.length) {
        out.notify = list as NotifyCondition[];
      } else return bad(keyword);
    } else if (keyword === 'ORCPT') {
      // RFC 3461 §4.2: orcpt-parameter = "ORCPT=" addr-type ";" xtext; addr-type is an atom.
      const semi = value?.indexOf(';') ?? -1;
      const addrType = value?.slice(0, semi) ?? '';
      const address = semi < 0 || value === undefined ? undefined : decodeXtext(value.slice(semi + 1));
      if (!/^[A-Za-z0-9-]+$/.test(addrType) || address === undefined || address === '') return bad(keyword);
      out.orcpt = { addrType, address };
    } else {
      return { ok: false, error: 'unknown-parameter', keyword };
    }
  }
  return { ok: true, value: out };
}

/** Format MAIL parameters as ` KEY=VALUE` items (leading space each; empty when none). */
export function formatMailParams(p: MailParams): string {
  let out = '';
  if (p.sizeBytes !== undefined) out += ` SIZE=${p.sizeBytes}`;
  if (p.body !== undefined) out += ` BODY=${p.body}`;
  if (p.smtputf8) out += ' SMTPUTF8';
  if (p.ret !== undefined) out += ` RET=${p.ret}`;
  if (p.envid !== undefined) out += ` ENVID=${encodeXtext(p.envid)}`;
  if (p.auth !== undefined) out += ` AUTH=${encodeXtext(p.auth)}`;
  return out;
}

/** Format RCPT parameters as ` KEY=VALUE` items (leading space each; empty when none). */
export function formatRcptParams(p: RcptParams): string {
  let out = '';
  if (p.notify !== undefined) out += ` NOTIFY=${p.notify === 'NEVER' ? 'NEVER' : p.notify.join(',')}`;
  if (p.orcpt !== undefined) out += ` ORCPT=${p.orcpt.addrType};${encodeXtext(p.orcpt.address)}`;
  return out;
}
