import assert from 'node:assert/strict';
import { type EventData, type EventType, SwitchboardError } from '@switchboard/protocol';
import type { SignallingClient } from '@switchboard/sdk';
import type { TestPlatform } from './platform.js';

/** Every server event a client received, in order, with a wait-for helper. */
export class Inbox {
  readonly events: { event: EventType; data: unknown }[] = [];

  constructor(client: SignallingClient, names: readonly EventType[]) {
    for (const name of names) {
      client.on(name, (data: unknown) => this.events.push({ event: name, data }));
    }
  }

  all<E extends EventType>(event: E): EventData<E>[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data as EventData<E>);
  }

  /** Waits for the first event `event` (matching `pred`), polling; bounded by `timeoutMs`. */
  async next<E extends EventType>(
    event: E,
    pred: (d: EventData<E>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<EventData<E>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.all(event).find(pred);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `No "${event}" in ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.event))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export const AGENT_EVENTS: EventType[] = [
  'agent.offer',
  'agent.offerRescinded',
  'agent.offerExpired',
  'agent.state',
  'acd.callConnecting',
  'acd.callEnded',
];
export const USER_EVENTS: EventType[] = [
  'contact.position',
  'contact.ended',
  'contact.callback',
  'acd.callConnecting',
  'acd.callEnded',
];
export const SUPERVISOR_EVENTS: EventType[] = ['acd.kpis', 'acd.agentState', 'acd.contact'];

/** Asserts that `promise` rejects with a SwitchboardError of `code`. */
export async function refused(promise: Promise<unknown>, code: string): Promise<SwitchboardError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SwitchboardError, `expected a SwitchboardError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

/** A small REST client for the platform's HTTPS API with a bearer token. */
export function rest(t: TestPlatform, token: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await t.fetch(`${t.urls.https}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      type,
      text,
      json: type.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  return {
    get: (path: string) => call('GET', path),
    put: (path: string, body: unknown) => call('PUT', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}
