import { SwitchboardError } from '@switchboard/protocol';
import type { PortAllocator } from '../media/PortAllocator.js';
import type { NamedPortRange, PortLease, ProbePortSource } from './PortSource.js';

/**
 * The probe's view of the platform's one {@link PortAllocator}: responders book their ports
 * through the same ranges as calls, so neither takes a port the other holds. A range that is
 * exhausted, or a port already booked, is "not available" (undefined), never an error: the
 * probe session simply samples fewer ports.
 */
export class AllocatorPortSource implements ProbePortSource {
  readonly #allocator: PortAllocator;

  constructor(allocator: PortAllocator) {
    this.#allocator = allocator;
  }

  acquireSpecific(range: NamedPortRange, port: number): PortLease | undefined {
    return this.#attempt(() => this.#allocator.acquirePort(range.name, port));
  }

  acquireRandom(range: NamedPortRange): PortLease | undefined {
    return this.#attempt(() => this.#allocator.acquireRandom(range.name));
  }

  #attempt(take: () => PortLease): PortLease | undefined {
    try {
      return take();
    } catch (err) {
      if (
        err instanceof SwitchboardError &&
        (err.code === 'SB_ERR_PORTS_EXHAUSTED' || err.code === 'SB_ERR_PORT_UNAVAILABLE')
      ) {
        return undefined;
      }
      throw err;
    }
  }
}
