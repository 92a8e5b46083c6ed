/** A port held for the probe; `release()` returns it to the media allocator (idempotent). */
export interface PortLease {
  readonly port: number;
  release(): void;
}

/** An inclusive port range. */
export interface PortRange {
  min: number;
  max: number;
}

/**
 * The part of the media `PortAllocator` the probe needs: probe responders borrow ports from
 * the same pool as calls, so a probe never takes a port a call holds and vice versa.
 */
export interface ProbePortSource {
  /** The given port when it is free, else undefined. */
  acquireSpecific(port: number): PortLease | undefined;
  /** Any free port in the range, else undefined. */
  acquireRandom(range: PortRange): PortLease | undefined;
}
