// The CPU time of a server's event loop: the main thread of its process, whose task id is the
// process id (/proc/PID/task/PID/stat, utime and stime). A Node server's other threads (libuv's
// pool doing file system calls, V8's compiler and GC threads) can use the other core; its event
// loop is one thread, so the event loop's CPU per message is what caps its rate. Shown next to the
// process tree's CPU by smtp/run.mjs and mta/run.mjs (docs/operations.md, "Performance").
import { readFileSync } from 'node:fs';

// USER_HZ is 100 on every Linux ABI that Node supports (sysconf(_SC_CLK_TCK)).
const TICKS_PER_SECOND = 100;

/** User and system CPU seconds of the main thread of `pid`; undefined once it has gone. */
function mainThreadCpu(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
}

/**
 * Starts measuring the event loop of `pid`; `perMessage(count)` gives "user / system" µs per
 * message since then. A server of several processes (`processes`, Postfix) has no one event
 * loop: '-'.
 */
export function eventLoopMeter(pid, { processes = false } = {}) {
  const before = processes ? undefined : mainThreadCpu(pid);
  return {
    perMessage(count) {
      const after = before === undefined ? undefined : mainThreadCpu(pid);
      if (after === undefined) return '-';
      const us = (seconds) => ((seconds / count) * 1e6).toFixed(0);
      return `${us(after.user - before.user)} / ${us(after.system - before.system)}`;
    },
  };
}
