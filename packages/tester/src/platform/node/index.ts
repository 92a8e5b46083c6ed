export { NodePlatform, type NodePlatformOptions } from './NodePlatform.js';
