// A worker thread that checkpoints a SQLite WAL from its own connection, so the fsyncs of a
// checkpoint never run on (and never stall) the event loop that commits. SQLite allows one
// checkpointer beside readers and a writer; PASSIVE never blocks them.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next interval tries again.
  }
}, intervalMs);
parentPort?.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
