/**
 * The Connectivity Tester's platform-neutral core: the profile and report schemas, the UDP
 * probe wire format, the metrics and the checks. Node specifics: `@switchboard/tester/node`.
 */
export * from './checks/CheckBuilder.js';
export * from './checks/qualityChecks.js';
export * from './checks/tcpChecks.js';
export * from './checks/turnChecks.js';
export * from './checks/udpChecks.js';
export * from './metrics/JitterEstimator.js';
export * from './metrics/LossCounter.js';
export * from './metrics/percentile.js';
export type * from './platform/Platform.js';
export * from './probe/CouldNotRunError.js';
export * from './probe/ProbeApi.js';
export * from './probe/testerCall.js';
export * from './probe/UdpProbeClient.js';
export * from './profile/ProbeProfile.js';
export * from './profile/ProbeSession.js';
export * from './report/Report.js';
export * from './report/withChecks.js';
export * from './Tester.js';
export * from './wire/ProbeWire.js';
