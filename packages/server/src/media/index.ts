export type { ForwardedTrack } from './ForwardedTrack.js';
export { AudioLoopPlayer } from './hold/AudioLoopPlayer.js';
export { DEFAULT_HOLD_AUDIO_FILE, HoldClips } from './hold/HoldClips.js';
export {
  OggOpusError,
  type OggOpusStream,
  type OpusPacket,
  opusPacketSamples,
  readOggOpus,
} from './hold/OggOpusReader.js';
export { OpusLoopPacketizer, type RtpAudioFrame } from './hold/OpusLoopPacketizer.js';
export { checkMediaAddresses, DEFAULT_VIDEO_RANGE, MediaServer } from './MediaServer.js';
export type {
  MediaParticipant,
  MediaPortSource,
  MediaRoom,
  MediaService,
  PlayingAudio,
} from './MediaService.js';
export type * from './MediaTypes.js';
export { Participant } from './Participant.js';
export { PortAllocator, type PortLease, type PortRange } from './PortAllocator.js';
export type { PublishedTrack } from './PublishedTrack.js';
export { Room, type RoomOptions } from './Room.js';
export { ServerAudioTrack, type ServerRtpFrame, serverAudioTrackId } from './ServerAudioTrack.js';
export { droppedTransportFeedback } from './weriftPatches.js';
export { MediaWorkerPool, type MediaWorkerPoolOptions } from './workers/MediaWorkerPool.js';
