// ACD routing benchmark: 10,000 agents, 10,000 waiting contacts, bursts of arrivals and
// completions. Prints routing decisions/s and per-decision latency (p50/p99).
//   node bench/acd/run.mjs [--store=memory|sqlite] [--bursts=N]
// A "decision" is one completion (agent ends a call → router picks the best waiting contact
// for that agent → offer) or one arrival (router looks for an agent for the new contact).
// memory: routing + state cost only; sqlite: includes the durable commit (fsync) per call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AcdService,
  FakeClock,
  MemoryAcdStore,
  SqliteAcdStore,
} from '../../packages/server/dist/acd/index.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const storeKind = args.store ?? 'memory';
const AGENTS = Number(args.agents ?? 10_000);
const WAITING = Number(args.waiting ?? 10_000);
const BURSTS = Number(args.bursts ?? 20);
const BURST = Number(args.burst ?? 500);
const QUEUES = 20;

let dir;
let store;
if (storeKind === 'sqlite') {
  dir = mkdtempSync(path.join(tmpdir(), 'acd-bench-'));
  store = new SqliteAcdStore(path.join(dir, 'acd.db'));
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
    const t = process.hrtime.bigint();
    acd.hangUp(agent(agentId), contactId);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    decisions++;
  }
  answerPending();
  // A burst of arrivals.
  for (let i = 0; i < BURST; i++) {
    const t = process.hrtime.bigint();
    arrive();
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    decisions++;
  }
  answerPending();
}
const elapsed = (performance.now() - tStart) / 1000;
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
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
      note: 'latency = one hang-up (completion) or enqueue (arrival) call including its routing decision and commit',
    },
    null,
    2,
  ),
);
acd.close();
if (dir) rmSync(dir, { recursive: true, force: true });
