/**
 * The `turn` role: coturn configuration and supervision, TURN REST credentials, ICE
 * server lists, and the TLS port demultiplexer that lets TURN/TLS share 443 with HTTPS.
 */

export {
  CoturnStartError,
  CoturnSupervisor,
  type CoturnSupervisorEvents,
  type CoturnSupervisorOptions,
} from './CoturnSupervisor.js';
export { type ClientHelloInfo, parseClientHello } from './clientHello.js';
export {
  type CoturnConfigOptions,
  loopbackAllowed,
  renderCoturnConfig,
  type TurnProfile,
} from './coturnConfig.js';
export {
  cidrToRange,
  DENIED_IPV4,
  DENIED_IPV6,
  type DeniedRange,
  deniedPeerCidrs,
} from './deniedPeerRanges.js';
export {
  type IceConfiguration,
  IceConfigurationSchema,
  type IceServerEntry,
  IceServerProvider,
  type IceServerProviderOptions,
  type IceServersForOptions,
} from './IceServerProvider.js';
export {
  createSharedHttpsDemux,
  type SharedHttpsDemuxOptions,
  turnServerNamesFor,
} from './sharedHttpsPort.js';
export {
  type DemuxRoute,
  type TcpTarget,
  TlsPortDemux,
  type TlsPortDemuxEvents,
  type TlsPortDemuxOptions,
} from './TlsPortDemux.js';
export {
  type ManagedTurnConfig,
  type TurnConfig,
  type TurnConfigInput,
  TurnConfigSchema,
} from './TurnConfigSchema.js';
export { loadOrCreateTurnSecret, TurnService, type TurnServiceOptions } from './TurnService.js';
export { mintTurnCredential, type TurnCredential, turnIdentity } from './turnCredentials.js';
