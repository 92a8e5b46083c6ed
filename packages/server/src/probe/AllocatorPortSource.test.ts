import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PortAllocator } from '../media/PortAllocator.js';
import { AllocatorPortSource } from './AllocatorPortSource.js';

describe('AllocatorPortSource', () => {
  it('books probe ports in the platform allocator, never a port a call holds, and returns them', () => {
    const allocator = new PortAllocator({ rtc: { min: 22100, max: 22103 }, acd: { min: 22102, max: 22105 } });
    const source = new AllocatorPortSource(allocator);
    const rtc = { name: 'rtc', min: 22100, max: 22103 };
    const call = allocator.acquirePort('rtc', 22100);
    assert.equal(source.acquireSpecific(rtc, 22100), undefined, 'a port a call holds');
    const edge = source.acquireSpecific(rtc, 22103);
    assert.equal(edge?.port, 22103);
    // 22103 is shared with the overlapping acd range: one port is one port.
    assert.equal(source.acquireSpecific({ name: 'acd', min: 22102, max: 22105 }, 22103), undefined);
    const leases = [source.acquireRandom(rtc), source.acquireRandom(rtc)];
    assert.deepEqual(leases.map((l) => l?.port).sort(), [22101, 22102]);
    assert.equal(source.acquireRandom(rtc), undefined, 'exhausted is "none", not an error');
    edge?.release();
    for (const l of leases) l?.release();
    call.release();
    assert.equal(allocator.inUseCount, 0);
  });
});
