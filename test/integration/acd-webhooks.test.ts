import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AcdRoleHandle } from '@switchboard/server';
import { Webhook } from 'standardwebhooks';
import { rest } from '../helpers/acd.js';
import { startPlatform, type TestPlatform, waitFor } from '../helpers/platform.js';

interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** A real HTTP receiver that verifies every signature with the Standard Webhooks library. */
class Receiver {
  readonly secret = `whsec_${randomBytes(24).toString('base64')}`;
  readonly #verifier = new Webhook(this.secret);
  readonly server: Server;
  /** 'ok': 204; 'down': 503 always; 'flaky': 500 on the first attempt of each message. */
  mode: 'ok' | 'down' | 'flaky' = 'ok';
  readonly attempts = new Map<string, number>();
  /** Accepted messages, deduplicated by webhook-id (what a receiver must do under at-least-once). */
  readonly accepted = new Map<string, Received>();
  readonly badSignatures: string[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        };
        let payload: { type: string; data: Record<string, unknown> };
        try {
          payload = this.#verifier.verify(body, headers) as typeof payload;
        } catch (err) {
          this.badSignatures.push(String(err));
          res.writeHead(400).end();
          return;
        }
        const id = headers['webhook-id'];
        const n = (this.attempts.get(id) ?? 0) + 1;
        this.attempts.set(id, n);
        if (this.mode === 'down' || (this.mode === 'flaky' && n === 1)) {
          res.writeHead(this.mode === 'down' ? 503 : 500).end();
          return;
        }
        if (!this.accepted.has(id)) this.accepted.set(id, { id, type: payload.type, data: payload.data });
        res.writeHead(204).end();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  find(type: string, pred: (d: Record<string, unknown>) => boolean = () => true): Received | undefined {
    return [...this.accepted.values()].find((m) => m.type === type && pred(m.data));
  }
}

const receiver = new Receiver();
let url = '';
let t: TestPlatform | undefined;

const webhookConfig = () => ({
  endpoints: [{ url, secret: receiver.secret, events: ['contact.*', 'agent.*'] }],
  initialBackoffMs: 50,
  maxBackoffMs: 200,
  pollIntervalMs: 50,
  maxAttempts: 1000,
});

before(async () => {
  url = await receiver.listen();
});
after(async () => {
  await t?.stop();
  receiver.server.close();
});

describe('ACD webhooks (Standard Webhooks, durable outbox)', () => {
  it('events queued while the receiver is down are delivered after a restart, signed, same ids', async () => {
    receiver.mode = 'down';
    const first = await startPlatform({ webhooks: webhookConfig() });
    const dataDir = first.dataDir;
    let contactId = '';
    try {
      const admin = rest(first, await first.mint('ops', { admin: true }));
      await admin.put('/v1/queues/q1', {});
      await admin.put('/v1/agents/a1', { queues: ['q1'] });
      const user = first.client(await first.mint('erin', { queues: ['q1'] }));
      await user.connect();
      contactId = (await user.request('contact.enqueue', { queueId: 'q1', channel: 'audio' })).contactId;
      const agent = first.client(await first.mint('agent-1', { agent: 'a1' }));
      await agent.connect();
      await agent.request('agent.login', { agentId: 'a1' });
      // Tried and refused at least once: the rows stay pending.
      await waitFor(() => receiver.attempts.size >= 2, 5000, 'failed attempts');
      const role = first.platform.role<AcdRoleHandle>('acd');
      assert.ok(role);
      assert.ok(role.webhookCounts().pending >= 2);
      assert.equal(receiver.accepted.size, 0);
      await user.close();
      await agent.close();
    } finally {
      await first.platform.stop();
    }
    const triedBefore = new Set(receiver.attempts.keys());

    receiver.mode = 'ok';
    t = await startPlatform({ dataDir, webhooks: webhookConfig() });
    await waitFor(
      () => receiver.find('contact.queued', (d) => d.contactId === contactId) !== undefined,
      10_000,
      'delivery after restart',
    );
    await waitFor(
      () => receiver.find('agent.status', (d) => d.agentId === 'a1') !== undefined,
      5000,
      'agent.status',
    );
    const queued = receiver.find('contact.queued', (d) => d.contactId === contactId)!;
    assert.equal(queued.data.queueId, 'q1');
    assert.equal(queued.data.userId, 'erin');
    assert.ok(triedBefore.has(queued.id), 'the same webhook-id as before the restart');
    assert.ok((receiver.attempts.get(queued.id) ?? 0) >= 2);
    // The restart's recovery is itself reported: the agent came back NotReady("recovery").
    await waitFor(
      () =>
        receiver.find(
          'agent.status',
          (d) => d.agentId === 'a1' && (d.status as { reason?: string }).reason === 'recovery',
        ) !== undefined,
      5000,
      'recovery status',
    );
    assert.deepEqual(receiver.badSignatures, []);
  });

  it('a delivery answered 500 is retried with the same id and accepted once', async () => {
    assert.ok(t);
    receiver.mode = 'flaky';
    const admin = rest(t, await t.mint('ops', { admin: true }));
    await admin.put('/v1/queues/q2', {});
    const user = t.client(await t.mint('frank', { queues: ['q2'] }));
    await user.connect();
    const { contactId } = await user.request('contact.enqueue', { queueId: 'q2', channel: 'video' });
    await user.request('contact.cancel', { contactId });
    await waitFor(
      () => receiver.find('contact.ended', (d) => d.contactId === contactId) !== undefined,
      10_000,
      'ended',
    );
    const queued = receiver.find('contact.queued', (d) => d.contactId === contactId);
    const ended = receiver.find('contact.ended', (d) => d.contactId === contactId)!;
    assert.ok(queued);
    assert.equal(receiver.attempts.get(ended.id), 2, 'one 500, then delivered');
    assert.equal(ended.data.outcome, 'abandoned');
    assert.equal((ended.data.record as { contactId: string }).contactId, contactId);
    const metrics = await (await t.fetch(`${t.urls.https}/metrics`)).text();
    assert.match(metrics, /switchboard_webhook_attempts_total\{result="retry"\} [1-9]/);
    assert.match(metrics, /switchboard_webhook_attempts_total\{result="delivered"\} [1-9]/);
    assert.deepEqual(receiver.badSignatures, []);
    await user.close();
  });
});
