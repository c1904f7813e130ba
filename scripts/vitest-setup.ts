// Setup for every vitest project (vitest.workspace.ts).
//
// A property that fails on a large input can spend hours shrinking it (a 20 KB array shrinks one
// element at a time) while the worker spins with no output: CI would hit its own limit instead of
// printing the counterexample. fast-check stops starting runs after this long, shrinking included,
// and reports the failure with the smallest counterexample found so far; a property interrupted
// before numRuns without a failure fails too, so the bound never passes a property unexamined.
import fc from 'fast-check';

const PROPERTY_TIME_LIMIT_MS = Number(process.env.MAILSTACK_PROPERTY_TIME_LIMIT_MS ?? 60_000);

fc.configureGlobal({ interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS, markInterruptAsFailure: true });
