import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GroupCommit, GroupDirectorySync } from '@mailstack/mailstore';

describe('GroupCommit', () => {
  it('flushes the commits of one turn together and those arriving during a flush in the next batch', async () => {
    const batches: number[][] = [];
    let late: Promise<void> | undefined;
    const group = new GroupCommit<number>(async (items) => {
      batches.push([...items]);
      if (late === undefined) late = group.commit(99); // arrives while the first batch is flushing
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map(() => undefined);
    });
    await Promise.all([1, 2, 3].map((n) => group.commit(n)));
    await late;
    expect(batches).toEqual([[1, 2, 3], [99]]);
  });

  it('rejects only the items whose flush entry is an error, and the whole batch when the flush throws', async () => {
    const partial = new GroupCommit<string>(async (items) => items.map((i) => (i === 'bad' ? new Error('bad one') : undefined)));
    const results = await Promise.allSettled(['a', 'bad', 'b'].map((i) => partial.commit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const failing = new GroupCommit<string>(async () => {
      throw new Error('disk gone');
    });
    const all = await Promise.allSettled(['x', 'y'].map((i) => failing.commit(i)));
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('GroupDirectorySync', () => {
  it('resolves for every caller after syncing the directory, and rejects when the directory is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailstore-groupsync-'));
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => writeFile(join(dir, `m${i}`), 'x')));
      const sync = new GroupDirectorySync(dir);
      await Promise.all(Array.from({ length: 20 }, () => sync.sync()));
      expect(await readdir(dir)).toHaveLength(20);
      await expect(new GroupDirectorySync(join(dir, 'missing')).sync()).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
