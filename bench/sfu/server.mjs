// SFU process of the benchmark: one MediaServer, driven by the orchestrator over IPC.
// argv[2] = mode: forwarding ('fast' | 'werift'), optionally '+single' (single-port media),
// argv[3] = port range "min-max".
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MediaServer } from '../../packages/server/dist/media/index.js';

const [forwarding, ...flags] = (process.argv[2] ?? 'fast').split('+');
const [min, max] = (process.argv[3] ?? '40000-40999').split('-').map(Number);
const media = new MediaServer({
  listenAddress: '127.0.0.1',
  videoRange: { min, max },
  inactivityTimeoutMs: 60_000,
  qualityIntervalMs: 5000,
  forwarding,
  singlePort: flags.includes('single'),
});
// SFU_BENCH_PROFILE=<dir>: a V8 CPU profile of each measured window (media flowing, then
// media paused), written as <dir>/<mode>-<n>.cpuprofile for Chrome DevTools or speedscope.
const profileDir = process.env.SFU_BENCH_PROFILE;
let profiler;
let windows = 0;
async function startProfile() {
  if (!profileDir) return;
  if (!profiler) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
  }
  await profiler.post('Profiler.start');
}
async function stopProfile() {
  if (!profileDir || !profiler) return;
  const { profile } = await profiler.post('Profiler.stop');
  const file = join(
    profileDir,
    `${process.argv[2] ?? 'fast'}-${windows++ === 0 ? 'media' : 'paused'}.cpuprofile`,
  );
  writeFileSync(file, JSON.stringify(profile));
}
const participants = new Map();
const callMembers = new Map();
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

function counters() {
  let packetsOut = 0;
  let packetsIn = 0;
  let fastOut = 0;
  let authentic = 0;
  for (const p of participants.values()) {
    authentic += p.inboundGuard.accepted;
    for (const t of p.publishedTracks) {
      packetsOut += t.forwarder.counters.packetsOut;
      packetsIn += t.forwarder.counters.packetsIn;
      fastOut += t.forwarder.counters.fastPacketsOut ?? 0;
    }
  }
  return { packetsIn, packetsOut, fastOut, authentic };
}

process.on('message', async (m) => {
  try {
    if (m.t === 'join') {
      const room = media.findRoom(m.call) ?? media.createRoom(m.call, { autoSubscribe: false });
      const p = await room.join(m.pid);
      participants.set(m.pid, p);
      if (!callMembers.has(m.call)) callMembers.set(m.call, []);
      callMembers.get(m.call).push(m.pid);
      p.on('negotiationNeeded', ({ offerId, sdp }) => process.send({ t: 'offer', pid: m.pid, offerId, sdp }));
      process.send({ t: 'joined', pid: m.pid });
    } else if (m.t === 'offer') {
      const p = participants.get(m.pid);
      const sdp = await p.handleOffer(m.sdp);
      process.send({ t: 'answer', pid: m.pid, sdp });
      // Subscribe explicitly once the offer is applied (no auto-subscribe): a server offer
      // racing the client's first offer is glare the benchmark does not want to measure.
      const room = media.room(m.call);
      // 1:1 call: "x.rx" receives the tracks of every other publisher of the call.
      for (const t of room.tracks) {
        for (const pid of callMembers.get(m.call) ?? []) {
          if (pid.endsWith('.rx') && pid !== `${t.participantId}.rx`) room.subscribe(pid, t.trackId);
        }
      }
    } else if (m.t === 'answer') {
      await participants.get(m.pid).handleAnswer(m.sdp, m.offerId);
    } else if (m.t === 'mark') {
      lag.reset();
      await startProfile();
      process.send({ t: 'mark', ...counters() });
    } else if (m.t === 'stats') {
      await stopProfile();
      process.send({
        t: 'stats',
        ...counters(),
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
      });
    } else if (m.t === 'close') {
      await media.close();
      process.exit(0);
    }
  } catch (error) {
    process.send({ t: 'error', pid: m.pid, message: String(error?.stack ?? error) });
  }
});
process.send({ t: 'ready' });
