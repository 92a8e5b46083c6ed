export { AllocatorPortSource } from './AllocatorPortSource.js';
export { buildProbeProfile, type ProbeProfileInputs } from './buildProbeProfile.js';
export type { NamedPortRange, PortLease, PortRange, ProbePortSource } from './PortSource.js';
export { ProbeResponder, type ResponderLimits } from './ProbeResponder.js';
export { ProbeService, type ProbeServiceOptions } from './ProbeService.js';
export { type ProbeSessionOptions, ServerProbeSession } from './ServerProbeSession.js';
export { SimplePortSource } from './SimplePortSource.js';
