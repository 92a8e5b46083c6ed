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

/** A media range by name (`rtc`, `acd`: the names the media `PortAllocator` uses) and bounds. */
export interface NamedPortRange extends PortRange {
  name: string;
}

/**
 * The part of the media `PortAllocator` the probe needs: probe responders borrow ports from
 * the same pool as calls, so a probe never takes a port a call holds and vice versa.
 */
export interface ProbePortSource {
  /** The given port of the range when it is free, else undefined. */
  acquireSpecific(range: NamedPortRange, port: number): PortLease | undefined;
  /** Any free port in the range, else undefined. */
  acquireRandom(range: NamedPortRange): PortLease | undefined;
}
