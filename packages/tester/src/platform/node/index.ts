export * from '../../stun/index.js';
export { NodePlatform, type NodePlatformOptions } from './NodePlatform.js';
