export * from './docs.js';
export * from './envelope.js';
export * from './errors.js';
export * from './grants.js';
export * from './messages.js';
export * from './quality.js';
export * from './session.js';
