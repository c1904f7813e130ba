// `node --conditions=source --import scripts/ts-child/register.mjs child.ts`: run TypeScript sources in a
// child process (the crash tests of mta and mailstack, and bench/mta). One copy for the whole workspace.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
