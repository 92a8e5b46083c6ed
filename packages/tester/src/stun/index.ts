/**
 * A small STUN/TURN client for Node (dgram, net, tls): Binding (mapped address, NAT
 * mapping hint) and TURN (Allocate, Refresh, CreatePermission, ChannelBind, Send/Data,
 * RTT through the relay) over UDP, TCP and TLS.
 */
export { bytesToIp, formatAddress, ipToBytes, type TransportAddress } from './address.js';
export { StunAttr, type StunClass, StunMethod } from './constants.js';
export {
  measureRelayRtt,
  type NatMappingHint,
  natMappingHint,
  type RelayRttOptions,
  type RelayRttResult,
  startRelayEcho,
} from './relayProbe.js';
export { decodeChannelData, encodeChannelData, StreamFramer } from './StreamFramer.js';
export {
  type AttributeList,
  type BindingResult,
  errorFrom,
  StunClient,
  type StunClientEvents,
  type StunClientOptions,
  type StunExchange,
  type StunRequestOptions,
} from './StunClient.js';
export { StunError, type StunErrorKind } from './StunError.js';
export {
  attr,
  crc32,
  type DecodedStunMessage,
  decodeAddress,
  decodeErrorCode,
  decodeStunMessage,
  decodeXorAddress,
  type EncodeOptions,
  encodeStunMessage,
  encodeXorAddress,
  getAttribute,
  isStunMessage,
  longTermKey,
  messageType,
  newTransactionId,
  type StunAttribute,
  type StunMessage,
  verifyFingerprint,
  verifyMessageIntegrity,
} from './StunMessage.js';
export {
  openStunTransport,
  type StunTlsOptions,
  type StunTransport,
  type StunTransportKind,
  type StunTransportOptions,
} from './StunTransport.js';
export {
  type PeerAddress,
  type TurnAllocation,
  TurnClient,
  type TurnClientEvents,
  type TurnClientOptions,
  type TurnDataPath,
} from './TurnClient.js';
