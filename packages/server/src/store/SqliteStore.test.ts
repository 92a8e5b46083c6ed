import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from './SqliteStore.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-store-'));
  dirs.push(dir);
  return path.join(dir, 'test.db');
}

describe('SqliteStore', () => {
  it('runs WAL with synchronous FULL by default and NORMAL when asked', () => {
    const full = new SqliteStore(tempFile());
    const normal = new SqliteStore(tempFile(), [], { synchronous: 'normal' });
    try {
      assert.equal(full.db.pragma('journal_mode', { simple: true }), 'wal');
      // SQLite reports synchronous as a number: 2 = FULL, 1 = NORMAL.
      assert.equal(full.db.pragma('synchronous', { simple: true }), 2);
      assert.equal(normal.db.pragma('synchronous', { simple: true }), 1);
      assert.equal(normal.synchronous, 'normal');
    } finally {
      full.close();
      normal.close();
    }
  });

  it('checkpoints the WAL from a worker thread instead of inside commits', async () => {
    const file = tempFile();
    const store = new SqliteStore(file, [], { synchronous: 'normal', backgroundCheckpointMs: 100 });
    try {
      assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0);
      store.db.exec('CREATE TABLE t (x TEXT)');
      const insert = store.db.prepare('INSERT INTO t (x) VALUES (?)');
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500));
      // Everything is in the WAL, none of it checkpointed by the commits themselves.
      const before = statSync(file).size;
      const deadline = Date.now() + 5000;
      while (statSync(file).size <= before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(statSync(file).size > before, 'the database file grew: the worker copied the WAL into it');
      assert.equal((store.db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2000);
    } finally {
      store.close();
    }
  });

  it('close is idempotent and stops the checkpointer', async () => {
    const store = new SqliteStore(tempFile(), [], { backgroundCheckpointMs: 50 });
    const first = store.close();
    assert.equal(store.close(), first, 'a second close waits for the same thing');
    await first;
    assert.equal(store.healthy(), false);
  });

  it('touches no file once close has settled, even closed right after opening', async () => {
    // The checkpointer thread opens the database only when it boots, after the constructor.
    const file = tempFile();
    const dir = path.dirname(file);
    const store = new SqliteStore(file, [], { backgroundCheckpointMs: 50 });
    await store.close();
    rmSync(dir, { recursive: true });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(dir), false, 'nothing recreated the directory’s files after close');
  });
});
