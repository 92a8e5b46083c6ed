import type { Grants } from '@switchboard/protocol';
import { TypedEmitter } from '../../events/TypedEmitter.js';
import type { OpusPacket } from '../../media/hold/OggOpusReader.js';
import type { PlayingAudio } from '../../media/MediaService.js';

export type { PlayingAudio };

/** Who may join a call besides holders of a `calls` grant for it (e.g. the parties of an ACD call). */
export type CallAccessPolicy = (identity: string, grants: Grants, callId: string) => boolean;

export type CallDirectoryEvents = {
  /** An identity joined a call (media not yet flowing). Not emitted for hidden monitors. */
  joined: [{ callId: string; identity: string; participantId: string }];
  /** An identity's first track reached the server in this call. */
  published: [{ callId: string; identity: string; participantId: string }];
  /** An identity left a call: `left` on purpose, or `inactive` / `failed` / `session-ended`. Not emitted for hidden monitors. */
  left: [{ callId: string; identity: string; participantId: string; reason: string }];
};

export type AudioPlayer = (
  callId: string,
  packets: readonly OpusPacket[],
  name: string,
  listeners?: readonly string[],
) => PlayingAudio | undefined;

/**
 * The call role's public face for other roles: who is in which call, and who else may
 * join. Roles such as the ACD add an access policy and follow the events; they never
 * touch the media server's rooms directly.
 */
export class CallDirectory {
  readonly events = new TypedEmitter<CallDirectoryEvents>();
  readonly #policies: CallAccessPolicy[] = [];
  /** `sessionId\ncallId` → when the approval lapses (ms since epoch). */
  readonly #monitors = new Map<string, number>();
  #close: (callId: string) => Promise<void> = async () => {};
  #play: AudioPlayer = () => undefined;

  addAccessPolicy(policy: CallAccessPolicy): void {
    this.#policies.push(policy);
  }

  mayJoin(identity: string, grants: Grants, callId: string): boolean {
    return this.#policies.some((policy) => policy(identity, grants, callId));
  }

  /**
   * Lets one signalling session join `callId` as a hidden, listen-only monitor (silent
   * monitoring): its `call.join` is allowed without a `calls` grant, it is not announced to
   * the others and it cannot publish. Bound to the session, so a leaked call id is useless;
   * the approval lapses after `ttlMs` if unused.
   */
  allowMonitor(sessionId: string, callId: string, ttlMs = 60_000, now = Date.now()): void {
    for (const [key, until] of this.#monitors) if (until <= now) this.#monitors.delete(key);
    this.#monitors.set(`${sessionId}\n${callId}`, now + ttlMs);
  }

  /** Whether this session was allowed to monitor this call (and the approval is still fresh). */
  isMonitor(sessionId: string, callId: string, now = Date.now()): boolean {
    const until = this.#monitors.get(`${sessionId}\n${callId}`);
    return until !== undefined && until > now;
  }

  /** Forgets a monitor approval (the monitor left, or the call ended). */
  forgetMonitor(sessionId: string, callId: string): void {
    this.#monitors.delete(`${sessionId}\n${callId}`);
  }

  /** Ends a call for everyone in it (the call role installs the implementation). */
  closeCall(callId: string): Promise<void> {
    return this.#close(callId);
  }

  /**
   * Plays Opus packets in a loop into an existing call, as a server track (hold audio):
   * packetised as RTP without transcoding, paced in real time. Every participant receives it,
   * or those whose identity is in `listeners` (the customer, not the agent holding the call).
   * @returns the playback, or undefined when the call has no media room (nobody joined yet).
   */
  playAudio(
    callId: string,
    packets: readonly OpusPacket[],
    name = 'hold',
    listeners?: readonly string[],
  ): PlayingAudio | undefined {
    return this.#play(callId, packets, name, listeners);
  }

  /** @internal */
  setAudioPlayer(play: AudioPlayer): void {
    this.#play = play;
  }

  /** @internal */
  setCloser(close: (callId: string) => Promise<void>): void {
    this.#close = close;
  }
}
