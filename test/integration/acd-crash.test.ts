import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AcdService, type CallRecord, type QueueKpis, SqliteAcdStore } from '@switchboard/server/acd';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'acd-crash-child.js');

interface Scene {
  callId: string;
  offeredId: string;
  offerId: string;
  waitingId: string;
  kpis: QueueKpis;
  records: CallRecord[];
}

/** Runs the child until it has acknowledged `acks` burst contacts, then kill -9s it. */
async function runAndKill(file: string, acks: number): Promise<{ scene: Scene; acked: string[] }> {
  const proc = spawn(process.execPath, [child, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  let scene: Scene | undefined;
  const acked: string[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    proc.on('exit', (_code, signal) => resolve(signal)),
  );
  const timeout = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  for await (const line of lines) {
    const msg = JSON.parse(line) as { type: string; id?: string } & Partial<Scene>;
    if (msg.type === 'scene') scene = msg as unknown as Scene;
    if (msg.type === 'acked') acked.push(msg.id!);
    if (acked.length >= acks) {
      proc.kill('SIGKILL');
      break;
    }
  }
  clearTimeout(timeout);
  assert.equal(await exited, 'SIGKILL');
  assert.ok(scene, 'the child reported its scene');
  return { scene, acked };
}

const counts = (k: QueueKpis) => ({
  offered: k.offered,
  answered: k.answered,
  abandoned: k.abandoned,
  answeredWithinT: k.answeredWithinT,
  abandonedWithinT: k.abandonedWithinT,
  serviceLevel: k.serviceLevel,
  asaMs: k.asaMs,
  ahtMs: k.ahtMs,
});

test('after kill -9 mid-offer and mid-call the ACD recovers: no stuck agent, no lost record, KPIs stable under replay', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'acd-crash-'));
  const file = path.join(dir, 'acd.db');
  try {
    const { scene, acked } = await runAndKill(file, 50);

    const acd = AcdService.open({ store: new SqliteAcdStore(file), options: { heartbeatTimeoutMs: 0 } });
    // No stuck agent: every logged-in agent is NotReady("recovery") and disconnected; no offer pending.
    for (const a of acd.listAgents()) {
      assert.deepEqual(a.status, { kind: 'NotReady', reason: 'recovery' }, a.id);
      assert.equal(a.state.kind, 'Disconnected', a.id);
      assert.equal(a.contacts.length, 0, a.id);
      assert.equal(a.pendingOfferId, null, a.id);
    }
    assert.equal(acd.listPendingOffers().length, 0);
    // The expired offer is released; its contact is back waiting, in front of the later one.
    assert.equal(acd.getOffer(scene.offerId).state, 'rescinded');
    assert.equal(acd.getOffer(scene.offerId).reason, 'recovery');
    assert.equal(acd.getContact(scene.offeredId).state, 'waiting');
    assert.ok(acd.position(scene.offeredId) < acd.position(scene.waitingId));
    // Every acknowledged contact survived.
    for (const id of acked) assert.equal(acd.getContact(id).state, 'waiting', id);
    // The live call's media died with the process: it is closed with a record.
    const callRecord = acd.getRecord(scene.callId)!;
    assert.equal(callRecord.outcome, 'answered');
    assert.equal(callRecord.endReason, 'recovery');
    assert.equal(callRecord.agentId, 'a1');
    // No lost record: the finished history is exactly as the child saw it.
    for (const r of scene.records.filter((x) => x.final)) assert.deepEqual(acd.getRecord(r.contactId), r);
    const k1 = acd.queueKpis('q1');
    assert.equal(k1.answered, scene.kpis.answered + 1, 'the recovered call counts once');
    assert.equal(k1.abandoned, scene.kpis.abandoned);

    // Users who reconnect keep their place; an agent who reconnects gets the first contact.
    acd.resume({ kind: 'user', userId: 'u-offer' }, scene.offeredId, 's-offer-2');
    acd.resume({ kind: 'user', userId: 'u-wait' }, scene.waitingId, 's-wait-2');
    let offered: string | undefined;
    acd.on('offerCreated', (o) => {
      offered ??= o.contactId;
    });
    acd.agentReconnected('a2');
    acd.setStatus({ kind: 'agent', agentId: 'a2' }, 'a2', { kind: 'Ready' });
    assert.equal(offered, scene.offeredId);
    const before = counts(acd.queueKpis('q1'));
    acd.close();

    // A second restart replays the same log: the KPIs do not move.
    const again = AcdService.open({ store: new SqliteAcdStore(file), options: { heartbeatTimeoutMs: 0 } });
    assert.deepEqual(counts(again.queueKpis('q1')), before);
    assert.deepEqual(counts(k1), counts(again.queueKpis('q1')));
    assert.equal(again.listPendingOffers().length, 0);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
