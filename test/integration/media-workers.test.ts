import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Call, type SignallingClient } from '@switchboard/sdk';
import { MediaWorkerPool } from '@switchboard/server/media';
import { startPlatform, type TestPlatform, until, waitFor } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { syntheticStream, type WrtcSink, wrtc } from '../helpers/wrtc.js';

/** A libwebrtc client in a call: publishes a synthetic camera and microphone, counts what it decodes. */
interface Party {
  client: SignallingClient;
  call: Call;
  frames: number;
  audio: number;
  ended: string | undefined;
  stop(): Promise<void>;
}

describe('media in worker processes (media.workers: 2)', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let pool: MediaWorkerPool;
  let range: { min: number; max: number };
  const parties: Party[] = [];

  before(async () => {
    range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({
      media: {
        listenAddress: '127.0.0.1',
        rtcPorts: range,
        acdPorts: range,
        workers: 2,
        qualityIntervalMs: 1000,
      },
    });
    assert.ok(t.platform.media instanceof MediaWorkerPool);
    pool = t.platform.media;
  });
  after(async () => {
    for (const p of parties) await p.stop();
    await t?.stop();
  });

  /** Ports of the media range booked in the main process's allocator. */
  const booked = () =>
    [...Array(range.max - range.min + 1).keys()]
      .map((i) => range.min + i)
      .filter((port) => t.platform.portAllocator.isInUse(port));

  async function join(identity: string, callId: string): Promise<Party> {
    const client = t.client(await t.mint(identity, { calls: [callId] }), { transports: ['websocket'] });
    await client.connect();
    const local = syntheticStream();
    const call = await Call.join(client, callId, {
      stream: local.stream,
      RTCPeerConnection: wrtc.RTCPeerConnection,
    });
    const sinks: WrtcSink[] = [];
    let stopped = false;
    const party: Party = {
      client,
      call,
      frames: 0,
      audio: 0,
      ended: undefined,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const s of sinks) s.stop();
        local.stop();
        await call.leave().catch(() => undefined);
        await client.close();
      },
    };
    call.on('track', ({ track }) => {
      const sink =
        track.kind === 'video'
          ? new wrtc.nonstandard.RTCVideoSink(track)
          : new wrtc.nonstandard.RTCAudioSink(track);
      if (track.kind === 'video') sink.onframe = () => party.frames++;
      else sink.ondata = () => party.audio++;
      sinks.push(sink);
    });
    call.on('ended', ({ reason }) => {
      party.ended = reason;
    });
    parties.push(party);
    return party;
  }

  it('places two calls on two workers; in each, two libwebrtc clients decode each other', async () => {
    const pids = pool.workerPids;
    assert.equal(pids.length, 2);
    assert.ok(
      pids.every((pid) => pid !== undefined && pid !== process.pid),
      `worker pids ${pids}`,
    );
    assert.notEqual(pids[0], pids[1]);

    const [a1, a2, b1, b2] = [
      await join('a1', 'call-a'),
      await join('a2', 'call-a'),
      await join('b1', 'call-b'),
      await join('b2', 'call-b'),
    ];
    const workerA = pool.workerOf('call-a');
    const workerB = pool.workerOf('call-b');
    assert.ok(workerA !== undefined && workerB !== undefined);
    assert.notEqual(workerA, workerB, 'the second call goes to the idle worker');
    for (const p of [a1, a2, b1, b2]) {
      await waitFor(() => p.frames > 5 && p.audio > 5, 20_000, 'video and audio decoded through a worker');
    }
    // Every participant's port was booked in the main process's allocator, inside the range.
    assert.equal(booked().length, 4, `ports booked: ${booked()}`);
    // The room mirror in the main process, and the quality API across the IPC.
    assert.deepEqual(
      pool
        .findRoom('call-a')
        ?.participants.map((p) => p.participantId)
        .sort(),
      [a1.call.participantId, a2.call.participantId].sort(),
    );
    assert.equal(pool.findRoom('call-a')?.participants[0]?.tracks.length, 2);
    const token = await t.mint('sup', { supervise: true });
    const quality = await until(
      'quality of call-a from its worker',
      async () =>
        (await (
          await t.fetch(`${t.urls.https}/v1/calls/call-a/quality`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { participants: { verdict: string }[] },
      (q) => q.participants.length === 2,
      10_000,
    );
    assert.equal(quality.participants.length, 2);
    // Muting crosses too: the other party is told.
    const muted = new Promise<string>((resolve) => a2.call.on('trackMuted', (e) => resolve(e.track.kind)));
    await a1.call.mute('video', true);
    assert.equal(await muted, 'video');
    // Prometheus sees both workers' calls.
    const metrics = await (await t.fetch(`${t.urls.https}/metrics`)).text();
    assert.match(metrics, /^switchboard_media_calls 2$/m);
    assert.match(metrics, /^switchboard_media_participants 4$/m);
  });

  it('joining a call whose room is still closing in its worker waits for it, then re-creates it', async () => {
    const client = t.client(await t.mint('reloader', { calls: ['reload'] }), { transports: ['websocket'] });
    await client.connect();
    await client.request('call.join', { callId: 'reload' });
    // Hold the room's close in its worker for 300 ms (the worker is stopped right when the
    // main process asks it to close the room), so the next join surely arrives meanwhile.
    const room = pool.findRoom('reload');
    const worker = pool.workerOf('reload');
    assert.ok(room && worker !== undefined);
    const pid = pool.workerPids[worker];
    assert.ok(pid);
    const close = room.close.bind(room);
    let held = false;
    (room as { close: () => Promise<void> }).close = () => {
      if (!held) {
        held = true;
        process.kill(pid, 'SIGSTOP');
        setTimeout(() => process.kill(pid, 'SIGCONT'), 300);
      }
      return close();
    };
    // The last participant leaves (a page reload), and joins again at once.
    await client.request('call.leave', { callId: 'reload' });
    assert.ok(held && room.closed, 'the room is closing');
    const again = await client.request('call.join', { callId: 'reload' });
    assert.equal(again.callId, 'reload');
    assert.notEqual(pool.findRoom('reload'), room, 'a new room');
    await client.request('call.leave', { callId: 'reload' });
    await client.close();
    await waitFor(() => pool.findRoom('reload') === undefined, 5000, 'the reload room closed');
  });

  it('a join in flight when the last participant leaves lands in the call, not in a closing room', async () => {
    const a = t.client(await t.mint('stay-a', { calls: ['handover'] }), { transports: ['websocket'] });
    const b = t.client(await t.mint('stay-b', { calls: ['handover'] }), { transports: ['websocket'] });
    await a.connect();
    await b.connect();
    await a.request('call.join', { callId: 'handover' });
    const worker = pool.workerOf('handover');
    assert.ok(worker !== undefined);
    const pid = pool.workerPids[worker];
    assert.ok(pid);
    // With the worker held, A's leave and then B's join queue up for it.
    process.kill(pid, 'SIGSTOP');
    let joined: Promise<{ callId: string }>;
    try {
      const left = a.request('call.leave', { callId: 'handover' });
      await sleep(100);
      joined = b.request('call.join', { callId: 'handover' });
      await sleep(100);
      process.kill(pid, 'SIGCONT');
      await left;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.equal((await joined).callId, 'handover');
    await waitFor(() => pool.findRoom('handover')?.participants.length === 1, 5000, 'B in the call');
    assert.equal(pool.findRoom('handover')?.closed, false);
    await b.request('call.leave', { callId: 'handover' });
    await a.close();
    await b.close();
    await waitFor(() => pool.findRoom('handover') === undefined, 5000, 'the handover room closed');
  });

  it('a worker that dies ends only its calls: its parties are told, its ports freed; it restarts', async () => {
    const [a1, a2, b1, b2] = parties as [Party, Party, Party, Party];
    const workerA = pool.workerOf('call-a');
    assert.ok(workerA !== undefined);
    const pidA = pool.workerPids[workerA];
    assert.ok(pidA);
    process.kill(pidA, 'SIGKILL');
    await waitFor(() => a1.ended !== undefined && a2.ended !== undefined, 10_000, 'call-a parties told');
    assert.equal(a1.ended, 'failed');
    assert.equal(a2.ended, 'failed');
    assert.equal(pool.findRoom('call-a'), undefined);
    await waitFor(() => booked().length === 2, 5000, 'call-a ports freed');
    // call-b, on the other worker, goes on.
    const before = { b1: b1.frames, b2: b2.frames };
    await waitFor(
      () => b1.frames > before.b1 + 10 && b2.frames > before.b2 + 10,
      10_000,
      'call-b still flows',
    );
    assert.equal(b1.ended, undefined);
    // The dead worker comes back, with a new process.
    await waitFor(
      () => pool.workerPids[workerA] !== undefined && pool.workerPids[workerA] !== pidA,
      15_000,
      'the worker restarted',
    );
    const metrics = await (await t.fetch(`${t.urls.https}/metrics`)).text();
    assert.match(metrics, /^switchboard_media_worker_restarts_total 1$/m);
    assert.match(metrics, /^switchboard_media_workers\{state="running"\} 2$/m);
    await a1.stop();
    await a2.stop();
    // And takes calls again: the least-loaded worker is the restarted one.
    const [c1, c2] = [await join('c1', 'call-c'), await join('c2', 'call-c')];
    assert.equal(pool.workerOf('call-c'), workerA);
    for (const p of [c1, c2])
      await waitFor(() => p.frames > 5 && p.audio > 5, 20_000, 'media on the new worker');
    await b1.stop();
    await b2.stop();
    await c1.stop();
    await c2.stop();
    await waitFor(() => pool.rooms.length === 0, 10_000, 'every room closed');
    await sleep(200);
    assert.deepEqual(booked(), [], 'every port freed');
  });
});
