import type { Verdict } from '@switchboard/protocol';

/** The network verdict's reason when live call quality set it. */
export const CALL_QUALITY_REASON = 'call-quality';

/**
 * Turns an agent's live call quality into its network verdict (queues with
 * `requireNetworkOk` gate offers on it): `samples` failing samples in a row mark the network
 * not ok; as many passing ones clear a verdict this gate set — never one the connectivity
 * check set, which only a new `agent.networkReport` clears. A single bad sample (a key frame
 * burst, a GC pause) changes nothing.
 */
export class AgentQualityGate {
  readonly #samples: number;
  /** agentId → consecutive failing (positive) or passing (negative) samples. */
  readonly #streak = new Map<string, number>();

  constructor(samples = 2) {
    this.#samples = samples;
  }

  /**
   * Feeds one sample's verdict (RTT, jitter and loss only; see `sideQuality`). Returns the
   * verdict to set, or null when it stays as it is.
   */
  sample(
    agentId: string,
    verdict: Verdict,
    current: { ok: boolean; reason: string | null },
  ): { ok: boolean; reason?: string } | null {
    const prev = this.#streak.get(agentId) ?? 0;
    const streak = verdict === 'fail' ? Math.max(prev, 0) + 1 : Math.min(prev, 0) - 1;
    this.#streak.set(agentId, streak);
    if (streak >= this.#samples && current.ok) return { ok: false, reason: CALL_QUALITY_REASON };
    if (streak <= -this.#samples && !current.ok && current.reason === CALL_QUALITY_REASON)
      return { ok: true };
    return null;
  }

  /** Forgets an agent's streak (its call ended: the next call starts afresh). */
  forget(agentId: string): void {
    this.#streak.delete(agentId);
  }
}
