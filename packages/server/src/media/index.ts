export { DEFAULT_VIDEO_RANGE, MediaServer } from './MediaServer.js';
export type * from './MediaTypes.js';
export { Participant } from './Participant.js';
export { PortAllocator, type PortLease, type PortRange } from './PortAllocator.js';
export type { PublishedTrack } from './PublishedTrack.js';
export { Room, type RoomOptions } from './Room.js';
