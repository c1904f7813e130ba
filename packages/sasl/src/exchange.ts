/**
 * How this works: every mechanism is written as a generator that reads like the RFC's message
 * sequence. A server mechanism yields each challenge and receives the client's next response;
 * it returns the final success or failure. A client mechanism first yields its initial response
 * (or undefined when the server speaks first), then yields one response per challenge. The two
 * classes here drive those generators behind the SaslServerExchange / SaslClientExchange
 * interfaces and guard against misuse (stepping a finished exchange is a caller bug).
 */
import { EMPTY } from './bytes.js';
import { SaslError } from './errors.js';
import type {
  SaslClientExchange,
  SaslClientOutcome,
  SaslClientStep,
  SaslFailureReason,
  SaslMechanismName,
  SaslServerContext,
  SaslServerExchange,
  SaslServerStep,
} from './types.js';

export type ServerFinal = Exclude<SaslServerStep, { type: 'challenge' }>;
export type ClientFailure = Extract<SaslClientStep, { type: 'failure' }>;

type ServerGenerator = AsyncGenerator<Uint8Array, ServerFinal, Uint8Array>;

/** A server mechanism: yields challenges, receives responses, returns the verdict. */
export type ServerMechanism = (context: SaslServerContext, initialResponse: Uint8Array | undefined) => ServerGenerator;

/** Set by a mutually authenticating client mechanism once the server proved itself. */
export interface ServerProof {
  verified: boolean;
}

/** A client mechanism: yields the initial response (or undefined), then one response per challenge. */
export type ClientMechanism = (proof: ServerProof) => Generator<Uint8Array | undefined, ClientFailure | undefined, Uint8Array>;

export function failure(reason: SaslFailureReason, detail: string): { type: 'failure'; reason: SaslFailureReason; detail: string } {
  return { type: 'failure', reason, detail };
}

type ServerPhase =
  | { phase: 'new' }
  | { phase: 'running'; generator: ServerGenerator }
  | { phase: 'done' };

export class GeneratorServerExchange implements SaslServerExchange {
  #state: ServerPhase = { phase: 'new' };

  constructor(
    readonly mechanism: SaslMechanismName,
    private readonly run: ServerMechanism,
    private readonly context: SaslServerContext,
  ) {}

  async start(initialResponse?: Uint8Array): Promise<SaslServerStep> {
    if (this.#state.phase !== 'new') throw new SaslError('wrong-state', `${this.mechanism}: start() called twice`);
    const generator = this.run(this.context, initialResponse);
    this.#state = { phase: 'running', generator };
    return this.#advance(generator, EMPTY);
  }

  async step(response: Uint8Array): Promise<SaslServerStep> {
    if (this.#state.phase !== 'running') {
      throw new SaslError('wrong-state', `${this.mechanism}: step() outside a running exchange`);
    }
    return this.#advance(this.#state.generator, response);
  }

  async #advance(generator: ServerGenerator, input: Uint8Array): Promise<SaslServerStep> {
    let result: IteratorResult<Uint8Array, ServerFinal>;
    try {
      result = await generator.next(input);
    } catch (error) {
      // The lookup failed (its environment, not the peer): the attempt is over either way.
      this.#state = { phase: 'done' };
      throw error;
    }
    if (!result.done) return { type: 'challenge', data: result.value };
    this.#state = { phase: 'done' };
    return result.value;
  }
}

type ClientPhase =
  | { phase: 'new' }
  | { phase: 'running' }
  | { phase: 'failed'; failure: ClientFailure }
  | { phase: 'finished' };

export class GeneratorClientExchange implements SaslClientExchange {
  #state: ClientPhase = { phase: 'new' };
  readonly #proof: ServerProof = { verified: false };
  readonly #generator: Generator<Uint8Array | undefined, ClientFailure | undefined, Uint8Array>;

  constructor(
    readonly mechanism: SaslMechanismName,
    run: ClientMechanism,
    private readonly mutual: boolean,
  ) {
    this.#generator = run(this.#proof);
  }

  start(): Uint8Array | undefined {
    if (this.#state.phase !== 'new') throw new SaslError('wrong-state', `${this.mechanism}: start() called twice`);
    const first = this.#generator.next(EMPTY);
    const initial = first.done ? undefined : first.value;
    this.#state = { phase: 'running' };
    return initial;
  }

  step(challenge: Uint8Array): SaslClientStep {
    if (this.#state.phase === 'new') {
      // The caller could not send an initial response: a client-first mechanism sends it
      // now, in answer to the server's empty challenge (RFC 4422 §5 item 2).
      const initial = this.start();
      if (initial !== undefined) return { type: 'response', data: initial };
    }
    if (this.#state.phase !== 'running') {
      throw new SaslError('wrong-state', `${this.mechanism}: step() after the exchange ended`);
    }
    const result = this.#generator.next(challenge);
    if (!result.done) return { type: 'response', data: result.value ?? EMPTY };
    const fail = result.value ?? failure('malformed', `${this.mechanism}: unexpected challenge from the server`);
    this.#state = { phase: 'failed', failure: fail };
    return fail;
  }

  finish(additionalData?: Uint8Array): SaslClientOutcome {
    if (this.#state.phase === 'failed') return this.#state.failure;
    if (this.#state.phase === 'finished') throw new SaslError('wrong-state', `${this.mechanism}: finish() called twice`);
    if (additionalData !== undefined && additionalData.length > 0) {
      const answer = this.step(additionalData);
      if (answer.type === 'failure') return answer;
    }
    this.#state = { phase: 'finished' };
    if (this.mutual && !this.#proof.verified) {
      return failure('server-unverified', `${this.mechanism}: the server never proved it knows the password`);
    }
    return { type: 'success' };
  }
}
