export { HOLD_AUDIO_PARTICIPANT_ID } from '@switchboard/protocol/runtime';
export * from './call/Call.js';
export * from './SignallingClient.js';
export type * from './transport/ClientTransport.js';
export { LongPollClientTransport } from './transport/LongPollClientTransport.js';
export { WebSocketClientTransport } from './transport/WebSocketClientTransport.js';
