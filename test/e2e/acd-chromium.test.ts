import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform, until } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

interface AcdWindow {
  switchboardAcd?: { call?: { pc: RTCPeerConnection }; events: string[]; contactId?: string };
}

async function received(page: Page): Promise<{ audio: number; frames: number }> {
  return page.evaluate(async () => {
    const pc = (window as unknown as AcdWindow).switchboardAcd?.call?.pc;
    let audio = 0;
    let frames = 0;
    (await pc?.getStats())?.forEach(
      (s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived ?? 0;
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
      },
    );
    return { audio, frames };
  });
}

describe('ACD end to end in Chromium: a user calls a queue, an agent answers', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;
  let admin: string;

  before(async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({ media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range } });
    browser = await launchChromium();
    admin = await t.mint('admin', { admin: true });
    const put = (url: string, body: object) =>
      t.fetch(`${t.urls.https}${url}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const [url, body] of [
      ['/v1/queues/sales', { name: 'Sales' }],
      ['/v1/agents/a1', { name: 'Ann', queues: ['sales'] }],
    ] as const) {
      const res = await put(url, body);
      assert.ok(res.ok, `${url}: ${res.status} ${await res.text()}`);
    }
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function kpis(): Promise<{ offered: number; answered: number }> {
    const res = await t.fetch(`${t.urls.https}/v1/queues/sales/kpis`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    return (await res.json()) as { offered: number; answered: number };
  }

  it('a waiting user hears the hold audio (decoded, non-silent) and stops hearing it on cancel', async () => {
    const res = await t.fetch(`${t.urls.https}/v1/queues/hold`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nobody answers' }),
    });
    assert.ok(res.ok, await res.text());
    const user = await browser.context.newPage();
    await user.goto(
      `${t.urls.https}/acd-demo/?role=user&queue=hold&channel=audio&token=${await t.mint('cust-hold', { queues: ['hold'] })}`,
    );
    const heard = () =>
      user.evaluate(async () => {
        const pc = (window as unknown as AcdWindow).switchboardAcd?.call?.pc;
        let packets = 0;
        let energy = 0;
        (await pc?.getStats())?.forEach(
          (s: { type: string; kind?: string; packetsReceived?: number; totalAudioEnergy?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') {
              packets += s.packetsReceived ?? 0;
              energy += s.totalAudioEnergy ?? 0;
            }
          },
        );
        return { packets, energy };
      });
    // Two seconds of 20 ms packets, decoded to audible samples.
    const v = await until('hold audio at the page', heard, (x) => x.packets > 100 && x.energy > 0);
    assert.ok(v.energy > 0);
    assert.equal(await user.textContent('#remote-label'), 'Hold music');
    await user.click('#hangup');
    await until(
      'the page leaves the hold call',
      () => user.evaluate(() => (window as unknown as AcdWindow).switchboardAcd?.call?.pc.connectionState),
      (state) => state === 'closed',
    );
    await user.close();
  });

  for (const channel of ['audio', 'video'] as const) {
    it(`a ${channel} call: offer, accept, media both ways, hang-up, wrap-up, KPIs and the call record`, async () => {
      const before = await kpis();
      const agent = await browser.context.newPage();
      await agent.goto(
        `${t.urls.https}/acd-demo/?role=agent&agent=a1&autoaccept=1&token=${await t.mint('ann', { agent: 'a1' })}`,
      );
      await until(
        'agent ready',
        () => agent.textContent('#status'),
        (s) => /Ready/.test(s ?? ''),
      );
      const user = await browser.context.newPage();
      await user.goto(
        `${t.urls.https}/acd-demo/?role=user&queue=sales&channel=${channel}&token=${await t.mint(`cust-${channel}`, { queues: ['sales'] })}`,
      );
      const wanted = (v: { audio: number; frames: number }) =>
        v.audio > 0 && (channel === 'audio' || v.frames > 0);
      await until('user receives the agent', () => received(user), wanted);
      await until('agent receives the user', () => received(agent), wanted);
      const live = (await (
        await t.fetch(`${t.urls.https}/v1/contacts`, { headers: { authorization: `Bearer ${admin}` } })
      ).json()) as { contacts: { state: string }[] };
      assert.deepEqual(
        live.contacts.map((c) => c.state),
        ['oncall'],
        'media flowing marks the contact on call',
      );

      await agent.click('#hangup');
      await until(
        'wrapped up',
        () => agent.evaluate(() => (window as unknown as AcdWindow).switchboardAcd?.events ?? []),
        (e) => e.includes('wrappedUp'),
      );
      const after = await until('the KPIs count the call', kpis, (k) => k.answered === before.answered + 1);
      assert.equal(after.offered, before.offered + 1);
      assert.equal(after.answered, before.answered + 1);
      const contactId = await user.evaluate(() => (window as unknown as AcdWindow).switchboardAcd?.contactId);
      const records = (await (
        await t.fetch(`${t.urls.https}/v1/records?queueId=sales`, {
          headers: { authorization: `Bearer ${admin}` },
        })
      ).json()) as { records: { contactId: string; outcome: string; disposition?: string | null }[] };
      const record = records.records.find((r) => r.contactId === contactId);
      assert.ok(record, 'the call record exists');
      assert.equal(record.outcome, 'answered');
      await user.close();
      await agent.close();
    });
  }
});
