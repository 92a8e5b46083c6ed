/**
 * Unit conversions from RTCP/RTP counters to the units of `@switchboard/protocol`'s
 * quality model (ms, percent 0–100, kbps). Each one is a classic source of bugs, so each
 * lives here, named with both units, and is unit-tested.
 */

/** RTCP interarrival jitter (RFC 3550 §6.4.1) is in RTP timestamp units: divide by the clock rate. */
export function rtcpJitterToMs(jitterTimestampUnits: number, clockRateHz: number): number {
  if (clockRateHz <= 0) return 0;
  return (jitterTimestampUnits / clockRateHz) * 1000;
}

/** RTCP "fraction lost" is an 8-bit fixed-point fraction (lost/expected × 256). */
export function fractionLostToPercent(fractionLost256: number): number {
  return (fractionLost256 / 256) * 100;
}

/** werift reports RTT in seconds; the quality model wants milliseconds. */
export function secondsToMs(seconds: number): number {
  return seconds * 1000;
}

/** RTCP DLSR/LSR are in 1/65536 s units (RFC 3550 §6.4.1). */
export function ntpShortToMs(units: number): number {
  return (units / 65536) * 1000;
}

/** Loss in percent over an interval, from RTP counters (expected vs received in the interval). */
export function lossPercentFromCounts(expectedDelta: number, receivedDelta: number): number {
  if (expectedDelta <= 0) return 0;
  const lost = expectedDelta - receivedDelta;
  if (lost <= 0) return 0;
  return Math.min(100, (lost / expectedDelta) * 100);
}

/** Bits per millisecond are kilobits per second. */
export function kbpsFromBytes(bytes: number, intervalMs: number): number {
  if (intervalMs <= 0) return 0;
  return (bytes * 8) / intervalMs;
}
