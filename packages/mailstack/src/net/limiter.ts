/**
 * Connection limits (Postfix anvil's role, without the rate part): a total cap and a cap per
 * client address. Pure bookkeeping; the listener refuses with its protocol's reply.
 */

/** The caps; Infinity switches one off. */
export interface ConnectionLimits {
  /** Connections at once across every listener sharing this limiter. */
  readonly total: number;
  /** Connections at once from one client address (IPv4-mapped IPv6 counts as IPv4). */
  readonly perIp: number;
}

/** Why a connection was refused, if it was. */
export type AdmitResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'total' | 'per-ip' };

/** Counts open connections and admits new ones under the caps. */
export class ConnectionLimiter {
  readonly #limits: ConnectionLimits;
  readonly #perIp = new Map<string, number>();
  #total = 0;

  constructor(limits: ConnectionLimits) {
    this.#limits = limits;
  }

  /** Open connections now. */
  get total(): number {
    return this.#total;
  }

  /** Count a new connection from `ip` if the caps allow it; call `release(ip)` when it ends. */
  admit(ip: string): AdmitResult {
    if (this.#total >= this.#limits.total) return { ok: false, reason: 'total' };
    const n = this.#perIp.get(ip) ?? 0;
    if (n >= this.#limits.perIp) return { ok: false, reason: 'per-ip' };
    this.#perIp.set(ip, n + 1);
    this.#total++;
    return { ok: true };
  }

  /** A connection admitted from `ip` has ended. */
  release(ip: string): void {
    const n = this.#perIp.get(ip);
    if (n === undefined) return;
    if (n <= 1) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n - 1);
    this.#total--;
  }
}
