export { ApiKeys, generateDevKey } from './auth/ApiKeys.js';
export { type MintRequest, type MintedToken, TokenService, type VerifiedToken } from './auth/TokenService.js';
export { ConfigError, type ConfigProblem, type ConfigSources, loadConfig } from './config/load.js';
export { type Config, type ConfigInput, ConfigSchema } from './config/schema.js';
export { type BoundPorts, Platform, type PlatformOptions } from './platform/Platform.js';
export { PortBindError } from './platform/PortBindError.js';
export { SqliteStore } from './store/SqliteStore.js';
export type { Store } from './store/Store.js';
export { VERSION } from './version.js';
