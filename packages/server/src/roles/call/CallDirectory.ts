import type { Grants } from '@switchboard/protocol';
import { TypedEmitter } from '../../events/TypedEmitter.js';
import type { OpusPacket } from '../../media/hold/OggOpusReader.js';

/** Who may join a call besides holders of a `calls` grant for it (e.g. the parties of an ACD call). */
export type CallAccessPolicy = (identity: string, grants: Grants, callId: string) => boolean;

export type CallDirectoryEvents = {
  /** An identity joined a call (media not yet flowing). */
  joined: [{ callId: string; identity: string; participantId: string }];
  /** An identity's first track reached the server in this call. */
  published: [{ callId: string; identity: string; participantId: string }];
  /** An identity left a call: `left` on purpose, or `inactive` / `failed` / `session-ended`. */
  left: [{ callId: string; identity: string; participantId: string; reason: string }];
};

/** Server-made audio playing into a call (see {@link CallDirectory.playAudio}). */
export interface PlayingAudio {
  /** The track id the participants see in `call.trackPublished`. */
  readonly trackId: string;
  /** Unpublishes the track (subscribers get a server offer without it). Idempotent. */
  stop(): void;
}

export type AudioPlayer = (
  callId: string,
  packets: readonly OpusPacket[],
  name: string,
) => PlayingAudio | undefined;

/**
 * The call role's public face for other roles: who is in which call, and who else may
 * join. Roles such as the ACD add an access policy and follow the events; they never
 * touch the media server's rooms directly.
 */
export class CallDirectory {
  readonly events = new TypedEmitter<CallDirectoryEvents>();
  readonly #policies: CallAccessPolicy[] = [];
  #close: (callId: string) => Promise<void> = async () => {};
  #play: AudioPlayer = () => undefined;

  addAccessPolicy(policy: CallAccessPolicy): void {
    this.#policies.push(policy);
  }

  mayJoin(identity: string, grants: Grants, callId: string): boolean {
    return this.#policies.some((policy) => policy(identity, grants, callId));
  }

  /** Ends a call for everyone in it (the call role installs the implementation). */
  closeCall(callId: string): Promise<void> {
    return this.#close(callId);
  }

  /**
   * Plays Opus packets in a loop into an existing call, as a server track every participant
   * receives (hold audio): packetised as RTP without transcoding, paced in real time.
   * @returns the playback, or undefined when the call has no media room (nobody joined yet).
   */
  playAudio(callId: string, packets: readonly OpusPacket[], name = 'hold'): PlayingAudio | undefined {
    return this.#play(callId, packets, name);
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
