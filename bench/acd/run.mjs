// ACD routing benchmark: 10,000 agents, 10,000 waiting contacts, bursts of arrivals and
// completions. Prints routing decisions/s and per-decision latency (p50/p99) for every store
// in one invocation (each in its own process, so one store's heap does not weigh on another):
//   node bench/acd/run.mjs                       memory, sqlite (synchronous=NORMAL), sqlite-full
//   node bench/acd/run.mjs --store=sqlite-full   one store only (prints its JSON)
//   options: --agents=N --waiting=N --bursts=N --burst=N --no-pin (do not pin to one CPU)
// A "decision" is one completion (agent ends a call → router picks the best waiting contact
// for that agent → offer) or one arrival (router looks for an agent for the new contact),
// each one durable commit on the SQLite stores (all events of the routing pass in one
// transaction). `commitMs` is the store's share of that time (the transaction, incl. fsync).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACD_MIGRATIONS,
  AcdService,
  FakeClock,
  MemoryAcdStore,
  SqliteAcdStore,
} from '../../packages/server/dist/acd/index.js';
import { SqliteStore } from '../../packages/server/dist/store/SqliteStore.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const STORES = ['memory', 'sqlite', 'sqlite-full'];

if (args.store === undefined) {
  // Parent: run each store in a child and print them side by side. "One core" is meant
  // literally: each child is pinned to the last CPU with taskset when it exists (--no-pin to
  // skip), and the load average it ran under is printed, since tails move with neighbours.
  const self = fileURLToPath(import.meta.url);
  const rest = process.argv.slice(2).filter((a) => a !== '--no-pin');
  const cpu = os.availableParallelism() - 1;
  const pin =
    !process.argv.includes('--no-pin') && spawnSync('taskset', ['-c', String(cpu), 'true']).status === 0;
  const results = [];
  const loadBefore = os.loadavg()[0];
  for (const store of STORES) {
    const command = [process.execPath, self, `--store=${store}`, ...rest];
    const child = spawnSync(
      pin ? 'taskset' : command[0],
      pin ? ['-c', String(cpu), ...command] : command.slice(1),
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (child.status !== 0) {
      console.error(`bench:acd ${store} failed (exit ${child.status})`);
      process.exit(1);
    }
    results.push(JSON.parse(child.stdout));
  }
  const pad = (v, n) => String(v).padStart(n);
  console.log(
    `ACD routing, ${results[0].agents} agents, ${results[0].waitingContactsAtStart} waiting, ${results[0].decisions} decisions, ${pin ? `pinned to CPU ${cpu}` : 'not pinned (no taskset)'}, load average ${loadBefore.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log('store          decisions/s   p50 ms   p99 ms   max ms   commit p50   commit p99');
  for (const r of results) {
    console.log(
      `${r.store.padEnd(14)}${pad(r.decisionsPerSecond, 12)}${pad(r.latencyMs.p50, 9)}${pad(r.latencyMs.p99, 9)}${pad(r.latencyMs.max, 9)}${pad(r.commitMs?.p50 ?? '-', 13)}${pad(r.commitMs?.p99 ?? '-', 13)}`,
    );
  }
  console.log(JSON.stringify(results));
  process.exit(0);
}

const storeKind = args.store;
if (!STORES.includes(storeKind)) {
  console.error(`unknown --store=${storeKind} (one of ${STORES.join(', ')})`);
  process.exit(2);
}
const AGENTS = Number(args.agents ?? 10_000);
const WAITING = Number(args.waiting ?? 10_000);
const BURSTS = Number(args.bursts ?? 20);
const BURST = Number(args.burst ?? 500);
const QUEUES = 20;

let dir;
let store;
/** Per-commit times (ms) while measuring. */
const commits = [];
let measuring = false;
if (storeKind.startsWith('sqlite')) {
  dir = mkdtempSync(path.join(tmpdir(), 'acd-bench-'));
  const sqlite = new SqliteStore(path.join(dir, 'acd.db'), ACD_MIGRATIONS, {
    synchronous: storeKind === 'sqlite-full' ? 'full' : 'normal',
    // As the platform runs it: WAL checkpoints in a worker thread, off the commit path.
    backgroundCheckpointMs: 1000,
  });
  const inner = new SqliteAcdStore(sqlite);
  const close = () => {
    inner.close();
    sqlite.close();
  };
  store = {
    commit(events, records) {
      if (!measuring) return inner.commit(events, records);
      const t = process.hrtime.bigint();
      const seq = inner.commit(events, records);
      commits.push(Number(process.hrtime.bigint() - t) / 1e6);
      return seq;
    },
    loadEvents: (after) => inner.loadEvents(after),
    getRecord: (id) => inner.getRecord(id),
    listRecords: (q) => inner.listRecords(q),
    close,
  };
} else {
  store = new MemoryAcdStore();
}
const clock = new FakeClock();
const acd = AcdService.open({
  store,
  clock,
  options: { heartbeatTimeoutMs: 0, sweepIntervalMs: 0, missCooldownMs: 0 },
});
const agent = (agentId) => ({ kind: 'agent', agentId });
const user = (userId) => ({ kind: 'user', userId });

let seed = 12345;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const strategies = ['longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'skills'];
for (let q = 0; q < QUEUES; q++) {
  acd.configureQueue({
    id: `q${q}`,
    strategy: strategies[q % strategies.length],
    requiredSkills: q % 4 === 0 ? [{ skill: `s${q % 7}`, minLevel: 2 }] : [],
    wrapUpSeconds: 0,
    offerTimeoutSeconds: 600,
  });
}
const t0 = performance.now();
for (let i = 0; i < AGENTS; i++) {
  const queues = new Set([
    `q${i % QUEUES}`,
    `q${Math.floor(rnd() * QUEUES)}`,
    `q${Math.floor(rnd() * QUEUES)}`,
  ]);
  const skills = {};
  for (let s = 0; s < 7; s++) skills[`s${s}`] = 1 + Math.floor(rnd() * 5);
  acd.configureAgent({ id: `a${i}`, queues: [...queues], skills, capacity: { audio: 1, video: 1 } });
  acd.login(agent(`a${i}`), `a${i}`, { kind: 'Ready' });
}
// Fill: every agent gets a call; then WAITING more contacts wait.
const pendingOffers = new Map(); // agentId -> {offerId, contactId}
acd.on('offerCreated', (o) => pendingOffers.set(o.agentId, o));
const onCall = []; // [agentId, contactId]
let users = 0;
const arrive = () => {
  const u = `u${users++}`;
  return acd.enqueue(user(u), {
    queueId: `q${Math.floor(rnd() * QUEUES)}`,
    sessionId: u,
    priority: rnd() < 0.1 ? 1 : 0,
  });
};
const answerPending = () => {
  for (const [agentId, o] of pendingOffers) {
    acd.accept(agent(agentId), o.offerId);
    acd.mediaConnected(o.contactId);
    onCall.push([agentId, o.contactId]);
  }
  pendingOffers.clear();
};
let guard = 0;
while (acd.listContacts().filter((c) => c.state === 'waiting').length < WAITING && guard++ < 100) {
  for (let i = 0; i < 2000; i++) arrive();
  answerPending();
}
const setupS = (performance.now() - t0) / 1000;
const waitingNow = acd.listContacts().filter((c) => c.state === 'waiting').length;

const lat = [];
let decisions = 0;
const tStart = performance.now();
for (let b = 0; b < BURSTS; b++) {
  clock.advance(1000);
  // A burst of completions: each frees an agent and routes the best contact to it.
  for (let i = 0; i < BURST && onCall.length > 0; i++) {
    const idx = Math.floor(rnd() * onCall.length);
    const [agentId, contactId] = onCall[idx];
    onCall[idx] = onCall[onCall.length - 1];
    onCall.pop();
    measuring = true;
    const t = process.hrtime.bigint();
    acd.hangUp(agent(agentId), contactId);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    measuring = false;
    decisions++;
  }
  answerPending();
  // A burst of arrivals.
  for (let i = 0; i < BURST; i++) {
    measuring = true;
    const t = process.hrtime.bigint();
    arrive();
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    measuring = false;
    decisions++;
  }
  answerPending();
}
const elapsed = (performance.now() - tStart) / 1000;
lat.sort((a, b) => a - b);
commits.sort((a, b) => a - b);
const pctOf = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const pct = (p) => pctOf(lat, p);
console.log(
  JSON.stringify(
    {
      store: storeKind,
      agents: AGENTS,
      queues: QUEUES,
      waitingContactsAtStart: waitingNow,
      setupSeconds: Number(setupS.toFixed(1)),
      decisions,
      decisionsPerSecond: Math.round(decisions / elapsed),
      latencyMs: {
        p50: Number(pct(50).toFixed(4)),
        p99: Number(pct(99).toFixed(4)),
        max: Number(lat.at(-1).toFixed(3)),
      },
      ...(commits.length > 0
        ? {
            commits: commits.length,
            commitMs: {
              p50: Number(pctOf(commits, 50).toFixed(4)),
              p99: Number(pctOf(commits, 99).toFixed(4)),
            },
          }
        : {}),
      note: 'latency = one hang-up (completion) or enqueue (arrival) call including its routing decision and commit',
    },
    null,
    2,
  ),
);
acd.close();
if (dir) rmSync(dir, { recursive: true, force: true });
