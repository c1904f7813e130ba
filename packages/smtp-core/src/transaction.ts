/**
 * One mail transaction over an SmtpClientSession (RFC 5321 §3.3), sans-I/O.
 *
 * With PIPELINING (RFC 2920 §3.1) MAIL, every RCPT and DATA go out as one group, DATA last; without
 * it each command waits for the previous reply. With CHUNKING and PIPELINING the body goes as BDAT
 * chunks (RFC 3030) instead of dot-stuffed DATA; BODY=BINARYMIME requires that. Feed every client
 * event to `handle()` and write what it returns; when `phase` is 'body', write the body with
 * `writeBody()`/`endBody()`; when it is 'done', read `result`.
 */
import type { ForwardPath, ReversePath } from './address.js';
import { concatBytes } from './bytes.js';
import type { SmtpClientEvent, SmtpClientSession } from './client.js';
import type { SmtpCommand } from './command.js';
import { LocalProtocolError } from './errors.js';
import type { MailParams, RcptParams } from './params.js';
import type { Reply } from './reply.js';

/** The envelope of a transaction to send. */
export interface TransactionEnvelope {
  readonly reversePath: ReversePath;
  readonly params?: MailParams;
  readonly recipients: readonly { readonly forwardPath: ForwardPath; readonly params?: RcptParams }[];
}

/** Per-recipient outcome. */
export interface RecipientResult {
  readonly forwardPath: ForwardPath;
  /** The reply to RCPT (undefined when the connection closed before it came). */
  readonly reply: Reply | undefined;
  readonly accepted: boolean;
}

/** What the server said to each part of the transaction. */
export interface TransactionResult {
  readonly mail: Reply | undefined;
  readonly recipients: readonly RecipientResult[];
  /** The reply that decided the message: to the end of DATA, the first failing or the LAST BDAT, or a refused DATA. */
  readonly data: Reply | undefined;
  /** True when the server took the message for at least one recipient. */
  readonly delivered: boolean;
}

const EMPTY = new Uint8Array(0);
const ok = (r: Reply | undefined): boolean => r !== undefined && r.code >= 200 && r.code < 300;

/** Drives one transaction: pipelined when offered, DATA or BDAT, per-recipient results. */
export class SmtpClientTransaction {
  readonly #client: SmtpClientSession;
  readonly #envelope: TransactionEnvelope;
  readonly #pipelining: boolean;
  readonly #bdat: boolean;
  readonly #ours = new Set<SmtpCommand>();
  #phase: 'envelope' | 'body' | 'waiting' | 'done' = 'envelope';
  #mail: Reply | undefined;
  #rcptReplies: (Reply | undefined)[];
  #rcptSent = 0;
  #rcptAnswered = 0;
  #data: Reply | undefined;
  /** A 354 came although no recipient was accepted: we sent an empty body and ignore the verdict. */
  #abandoning = false;

  constructor(client: SmtpClientSession, envelope: TransactionEnvelope) {
    const caps = client.capabilities;
    this.#client = client;
    this.#envelope = envelope;
    this.#pipelining = caps.pipelining;
    this.#bdat = caps.chunking && caps.pipelining;
    this.#rcptReplies = envelope.recipients.map(() => undefined);
    if (envelope.recipients.length === 0) throw new LocalProtocolError('invalid-value', 'a transaction needs at least one recipient');
    // RFC 3030 §3: BINARYMIME can only be sent with BDAT.
    if (envelope.params?.body === 'BINARYMIME' && !(caps.binaryMime && this.#bdat)) {
      throw new LocalProtocolError('invalid-value', 'BODY=BINARYMIME needs BINARYMIME, CHUNKING and PIPELINING');
    }
  }

  /** Where the transaction is: sending the envelope, writing the body, waiting for the verdict, done. */
  get phase(): 'envelope' | 'body' | 'waiting' | 'done' {
    return this.#phase;
  }

  /** The outcome so far (final once `phase` is 'done'). */
  get result(): TransactionResult {
    const recipients = this.#envelope.recipients.map((r, i) => {
      const reply = this.#rcptReplies[i];
      return { forwardPath: r.forwardPath, reply, accepted: ok(reply) };
    });
    const delivered = ok(this.#mail) && recipients.some((r) => r.accepted) && ok(this.#data) && !this.#abandoning;
    return { mail: this.#mail, recipients, data: this.#data, delivered };
  }

  #send(command: SmtpCommand): Uint8Array {
    this.#ours.add(command);
    return this.#client.send(command);
  }

  #sendRcpt(): Uint8Array {
    const r = this.#envelope.recipients[this.#rcptSent++];
    if (r === undefined) throw new LocalProtocolError('wrong-state', 'no recipient left');
    return this.#send({ verb: 'RCPT', forwardPath: r.forwardPath, params: r.params ?? {} });
  }

  /** The first bytes: MAIL, and with PIPELINING every RCPT and (for DATA) the DATA command. */
  begin(): Uint8Array {
    const parts = [this.#send({ verb: 'MAIL', reversePath: this.#envelope.reversePath, params: this.#envelope.params ?? {} })];
    if (this.#pipelining) {
      while (this.#rcptSent < this.#envelope.recipients.length) parts.push(this.#sendRcpt());
      if (!this.#bdat) parts.push(this.#send({ verb: 'DATA' }));
    }
    return concatBytes(parts);
  }

  /** Consume a client event; returns the bytes to write next (often none). */
  handle(event: SmtpClientEvent): Uint8Array {
    if (this.#phase === 'done') return EMPTY;
    if (event.type === 'need-data') return EMPTY;
    if (event.type !== 'reply') {
      this.#phase = 'done'; // closed, timed out or broken: whatever is unanswered failed
      return EMPTY;
    }
    const to = event.to;
    if (to.kind === 'command' && (this.#ours.has(to.command) || to.command.verb === 'BDAT')) return this.#onCommandReply(to.command, event.reply);
    if (to.kind === 'data-end' && this.#phase === 'waiting') {
      if (!this.#abandoning) this.#data = event.reply;
      this.#phase = 'done';
      return EMPTY;
    }
    if (to.kind === 'unsolicited' || event.reply.code === 421) this.#phase = 'done';
    return EMPTY;
  }

  #onCommandReply(cmd: SmtpCommand, reply: Reply): Uint8Array {
    switch (cmd.verb) {
      case 'MAIL':
        this.#mail = reply;
        if (this.#pipelining) return EMPTY;
        if (!ok(reply)) this.#phase = 'done';
        return ok(reply) ? this.#sendRcpt() : EMPTY;
      case 'RCPT':
        this.#rcptReplies[this.#rcptAnswered++] = reply;
        if (this.#rcptAnswered < this.#envelope.recipients.length) return this.#pipelining ? EMPTY : this.#sendRcpt();
        return this.#afterRecipients();
      case 'DATA':
        if (reply.code !== 354) {
          this.#data = reply;
          this.#phase = 'done';
          return EMPTY;
        }
        if (ok(this.#mail) && this.#rcptReplies.some(ok)) {
          this.#phase = 'body';
          return EMPTY;
        }
        // RFC 2920 §3.1: all recipients failed but DATA got 354: send an empty body to get out.
        this.#abandoning = true;
        this.#phase = 'waiting';
        return this.#client.endBody();
      case 'BDAT':
        // The first failing chunk decides; otherwise the reply to BDAT LAST does.
        if ((!ok(reply) || cmd.last) && this.#data === undefined) this.#data = reply;
        if (cmd.last) this.#phase = 'done';
        return EMPTY;
      default:
        return EMPTY;
    }
  }

  /** All RCPT replies are in: go on to the body, or stop when nothing was accepted. */
  #afterRecipients(): Uint8Array {
    const go = ok(this.#mail) && this.#rcptReplies.some(ok);
    if (this.#bdat) {
      this.#phase = go ? 'body' : 'done';
      return EMPTY;
    }
    if (this.#pipelining) return EMPTY; // DATA already sent; its reply decides
    if (!go) {
      this.#phase = 'done';
      return EMPTY;
    }
    return this.#send({ verb: 'DATA' });
  }

  /** Bytes for the next piece of the body (dot-stuffed DATA, or a BDAT chunk). */
  writeBody(chunk: Uint8Array): Uint8Array {
    if (this.#phase !== 'body') throw new LocalProtocolError('wrong-state', `writeBody() in phase ${this.#phase}`);
    if (!this.#bdat) return this.#client.sendBody(chunk);
    return chunk.length === 0 ? EMPTY : this.#client.sendChunk(chunk, false);
  }

  /** Bytes that end the body (CRLF.CRLF, or BDAT 0 LAST); the verdict follows. */
  endBody(): Uint8Array {
    if (this.#phase !== 'body') throw new LocalProtocolError('wrong-state', `endBody() in phase ${this.#phase}`);
    this.#phase = 'waiting';
    if (!this.#bdat) return this.#client.endBody();
    return this.#client.sendChunk(EMPTY, true);
  }
}
