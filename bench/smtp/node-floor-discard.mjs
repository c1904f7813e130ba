// smtp/node-floor.mjs storing nothing: the floor of Node's socket handling alone.
//   node smtp/run.mjs --targets smtp-sink,ours --ours smtp/node-floor-discard.mjs
import { startFloor } from './node-floor.mjs';

export function start(options) {
  return startFloor(options, (_chunks, done) => done());
}
