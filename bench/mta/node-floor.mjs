// The floor for a Node MTA on this machine: smtp/node-floor.mjs's fixed-reply responder (no
// parsing, policy, logging or Received header) doing the file work of `mailstack serve` with the
// same durability, and nothing else:
//   before 250   queue/<name>: open, writev, fdatasync, close; fsync of queue/ (shared by the
//                messages that arrive while one is running, as ours' group commit)
//   after 250    Maildir/tmp/<name>: open, writev, fsync, close; rename into Maildir/new/; fsync
//                of new/ (shared likewise); then unlink the queue file
// The body stays in memory between the two (ours' fresh cache does the same for small messages).
// One thing a real queue needs is left out: a way to tell a complete queue file from one cut
// short by a crash (ours writes into incoming/ and renames into active/, one more rename(2)).
// Every call goes through libuv's pool, as ours' do, through node:fs callbacks written out here
// rather than mailstore's GroupCommit and fs helpers: like smtp/node-floor.mjs, a floor must not
// carry any of our costs. What ours spends above this per message is the cost of being an MTA in
// JavaScript (bench/README.md, "The MTA floor"). A module for peers/serve-module.mjs, run as a
// target of mta/run.mjs (`--targets postfix,ours,floor`).
import { close, fdatasync, fsync, mkdirSync, open, rename, unlink, writev } from 'node:fs';
import { join } from 'node:path';
import { startFloor } from '../smtp/node-floor.mjs';

/** Runs `sync(callback)` once for every waiter that arrived before it began (a group commit). */
function groupSync(sync) {
  let waiting = [];
  let running = false;
  const run = () => {
    running = true;
    const batch = waiting;
    waiting = [];
    sync((error) => {
      for (const done of batch) done(error);
      running = false;
      if (waiting.length > 0) run();
    });
  };
  return (done) => {
    waiting.push(done);
    if (!running) run();
  };
}

/** fsync(2) of a directory, with the callback's error if any step fails. */
const syncDirectory = (dir) => (done) =>
  open(dir, 'r', (error, fd) => {
    if (error) return done(error);
    fsync(fd, (syncError) => close(fd, (closeError) => done(syncError ?? closeError)));
  });

/** Writes `chunks` to a new file `path` and syncs it with `syncCall` (fsync or fdatasync). */
function writeFile(path, chunks, syncCall, done) {
  open(path, 'wx', (error, fd) => {
    if (error) return done(error);
    writev(fd, chunks, (writeError) => {
      if (writeError) return close(fd, () => done(writeError));
      syncCall(fd, (syncError) => close(fd, (closeError) => done(syncError ?? closeError)));
    });
  });
}

/** Starts the floor under `dir` (queue/, Maildir/{tmp,new}); resolves with its port once it listens. */
export async function start({ host, port, dir }) {
  const queue = join(dir, 'queue');
  const tmp = join(dir, 'Maildir', 'tmp');
  const fresh = join(dir, 'Maildir', 'new');
  for (const d of [queue, tmp, fresh]) mkdirSync(d, { recursive: true });
  const syncQueue = groupSync(syncDirectory(queue));
  const syncFresh = groupSync(syncDirectory(fresh));
  const prefix = `${Date.now().toString(36)}.${process.pid}.`;
  let seq = 0;

  const deliver = (name, chunks) =>
    writeFile(join(tmp, name), chunks, fsync, (error) => {
      if (error) throw error;
      rename(join(tmp, name), join(fresh, name), (renameError) => {
        if (renameError) throw renameError;
        syncFresh((syncError) => {
          if (syncError) throw syncError;
          unlink(join(queue, name), () => {});
        });
      });
    });

  return startFloor({ host, port }, (chunks, done) => {
    const name = `${prefix}${++seq}`;
    writeFile(join(queue, name), chunks, fdatasync, (error) => {
      if (error) return done(error);
      syncQueue((syncError) => {
        done(syncError);
        if (!syncError) deliver(name, chunks);
      });
    });
  });
}
