import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchboardError } from '@switchboard/protocol';
import { PortAllocator } from './PortAllocator.js';

function code(error: unknown): string | undefined {
  return error instanceof SwitchboardError ? error.code : undefined;
}

describe('PortAllocator', () => {
  it('never hands out a port twice until it is released', () => {
    const a = new PortAllocator({ video: { min: 40000, max: 40009 } });
    const ports = new Set<number>();
    for (let i = 0; i < 10; i++) ports.add(a.acquire('video').port);
    assert.equal(ports.size, 10);
    for (const p of ports) assert.ok(p >= 40000 && p <= 40009);
  });

  it('fails with SB_ERR_PORTS_EXHAUSTED when the range is used up, and recovers after release', () => {
    const a = new PortAllocator({ video: { min: 40000, max: 40002 } });
    const leases = [a.acquire('video'), a.acquire('video'), a.acquire('video')];
    assert.throws(
      () => a.acquire('video'),
      (e) => code(e) === 'SB_ERR_PORTS_EXHAUSTED',
    );
    assert.throws(
      () => a.acquireRandom('video'),
      (e) => code(e) === 'SB_ERR_PORTS_EXHAUSTED',
    );
    leases[1]!.release();
    assert.equal(a.acquire('video').port, leases[1]!.port);
  });

  it('release is idempotent and does not free a port re-booked by someone else', () => {
    const a = new PortAllocator({ r: { min: 40000, max: 40000 } });
    const first = a.acquire('r');
    first.release();
    const second = a.acquire('r');
    first.release();
    assert.equal(a.isInUse(second.port), true);
  });

  it('treats a port in overlapping ranges as one port', () => {
    const a = new PortAllocator({ audio: { min: 10000, max: 20000 }, video: { min: 19099, max: 20099 } });
    const v = a.acquirePort('video', 19500);
    assert.throws(
      () => a.acquirePort('audio', 19500),
      (e) => code(e) === 'SB_ERR_PORT_UNAVAILABLE',
    );
    assert.equal(a.available('audio'), 10001 - 1);
    v.release();
    assert.equal(a.acquirePort('audio', 19500).port, 19500);
  });

  it('exhausts the shared part of overlapping ranges for both', () => {
    const a = new PortAllocator({ audio: { min: 100, max: 105 }, video: { min: 103, max: 108 } });
    for (let i = 0; i < 6; i++) a.acquire('audio');
    assert.throws(
      () => a.acquire('audio'),
      (e) => code(e) === 'SB_ERR_PORTS_EXHAUSTED',
    );
    const left = new Set([a.acquire('video').port, a.acquire('video').port, a.acquire('video').port]);
    assert.deepEqual([...left].sort(), [106, 107, 108]);
    assert.throws(
      () => a.acquire('video'),
      (e) => code(e) === 'SB_ERR_PORTS_EXHAUSTED',
    );
  });

  it('refuses a specific port outside the range', () => {
    const a = new PortAllocator({ video: { min: 40000, max: 40010 } });
    assert.throws(
      () => a.acquirePort('video', 39999),
      (e) => code(e) === 'SB_ERR_PORT_UNAVAILABLE',
    );
  });

  it('acquireRandom stays inside the range and avoids booked ports', () => {
    const a = new PortAllocator({ video: { min: 40000, max: 40019 } });
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const { port } = a.acquireRandom('video');
      assert.ok(port >= 40000 && port <= 40019);
      assert.equal(seen.has(port), false);
      seen.add(port);
    }
  });

  it('rejects an unknown range name and inverted bounds', () => {
    assert.throws(() => new PortAllocator({ bad: { min: 10, max: 5 } }), RangeError);
    assert.throws(() => new PortAllocator({ video: { min: 1, max: 2 } }).acquire('nope'), RangeError);
  });
});
