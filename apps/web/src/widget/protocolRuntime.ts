// What the SDK takes from @switchboard/protocol at run time — the error registry and three
// constants — without the zod schemas (≈ 29 kB gzipped) that the package index also loads.
// vite.widget.config.ts aliases '@switchboard/protocol' to this file for the widget bundle
// only; a missing export fails that build, so the SDK cannot silently outgrow it.
// The lasting fix is a zod-free entry in the protocol package (e.g. '@switchboard/protocol/runtime').
export * from '../../../../packages/protocol/src/errors.js';
export { isEventFrame, PROTOCOL_VERSION } from './protocolFrames.js';
export const RESUME_KEY_HEADER = 'x-switchboard-resume-key';
