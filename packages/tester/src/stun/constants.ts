/** The fixed value in bytes 4–7 of every RFC 5389 STUN message. */
export const MAGIC_COOKIE = 0x2112a442;
/** STUN header size in bytes. */
export const HEADER_BYTES = 20;
/** XOR value for the FINGERPRINT CRC-32 (RFC 5389 §15.5: "STUN" in ASCII). */
export const FINGERPRINT_XOR = 0x5354554e;

/** STUN/TURN methods used by this client (RFC 5389, RFC 8656). */
export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;
export type StunMethod = (typeof StunMethod)[keyof typeof StunMethod];

/** The four message classes encoded in the type field. */
export type StunClass = 'request' | 'indication' | 'success' | 'error';

/** Attribute types (RFC 5389 §18.2, RFC 8656 §18, RFC 5780 §7). */
export const StunAttr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  MessageIntegritySha256: 0x001c,
  UserHash: 0x001e,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  ResponseOrigin: 0x802b,
  OtherAddress: 0x802c,
} as const;

/** IANA protocol number for UDP, the only REQUESTED-TRANSPORT WebRTC uses. */
export const TRANSPORT_UDP = 17;
/** First and last valid TURN channel numbers (RFC 8656 §12). */
export const CHANNEL_MIN = 0x4000;
export const CHANNEL_MAX = 0x4fff;
