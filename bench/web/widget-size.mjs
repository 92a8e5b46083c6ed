// Prints the gzipped size of the call widget bundle (apps/web/src/widget), built the way it
// ships (one IIFE, minified) in three cuts:
//   shipped         — what /widget/switchboard-call.js weighs: widget UI + SDK + the protocol's
//                     run-time part (errors and constants, no zod: src/widget/protocolRuntime.ts)
//   ui only         — the widget's own code, with @switchboard/sdk left out (external)
//   with zod        — the same, built against the whole @switchboard/protocol index (which loads
//                     every zod schema): what the widget would weigh without the alias
// Needs `npx tsc -b` first (the SDK and protocol are consumed from their dist/).
// Usage: node bench/web/widget-size.mjs [--json]
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const web = fileURLToPath(new URL('../../apps/web/', import.meta.url));

async function size(label, extra, env = {}) {
  Object.assign(process.env, env);
  const out = await build({
    configFile: `${web}vite.widget.config.ts`,
    logLevel: 'silent',
    build: { write: false, sourcemap: false, ...extra.build },
    ...(extra.resolve ? { resolve: extra.resolve } : {}),
  });
  for (const k of Object.keys(env)) delete process.env[k];
  const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
  const js = outputs.find((o) => o.type === 'chunk');
  const bytes = Buffer.from(js.code);
  const modules = Object.keys(js.modules ?? {});
  return {
    label,
    bytes: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    zod: modules.some((m) => m.includes('/zod/')),
  };
}

const rows = [
  await size('shipped (UI + SDK, protocol w/o zod)', { build: {} }),
  await size('ui only (SDK external)', {
    build: {
      rollupOptions: { external: ['@switchboard/sdk'], output: { globals: { '@switchboard/sdk': 'SB' } } },
    },
  }),
  await size('UI + SDK + whole protocol (zod)', { build: {} }, { SB_WIDGET_FULL_PROTOCOL: '1' }),
];
if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`${'widget bundle'.padEnd(38)}  minified     gzip  zod?`);
  for (const r of rows)
    console.log(
      `${r.label.padEnd(38)} ${(r.bytes / 1024).toFixed(1).padStart(7)} kB ${(r.gzip / 1024).toFixed(1).padStart(6)} kB  ${r.zod ? 'yes' : 'no'}`,
    );
  console.log('target: < 60 kB gzipped without the media SDK (issue 7)');
}
