// Prints the gzipped size of the call widget bundle (apps/web/src/widget), built the way it
// ships (one IIFE, minified) in two cuts:
//   shipped         — what /widget/switchboard-call.js weighs: widget UI + SDK + the protocol's
//                     run-time part (`@switchboard/protocol/runtime`: errors and constants, no zod)
//   ui only         — the widget's own code, with @switchboard/sdk left out (external)
// The last column says whether zod slipped in (the SDK must import values only from
// `@switchboard/protocol/runtime`; the schemas weigh ≈ 29 kB gzipped).
// Needs `npx tsc -b` first (the SDK and protocol are consumed from their dist/).
// Usage: node bench/web/widget-size.mjs [--json]
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const web = fileURLToPath(new URL('../../apps/web/', import.meta.url));

async function size(label, extra) {
  const out = await build({
    configFile: `${web}vite.widget.config.ts`,
    logLevel: 'silent',
    build: { write: false, sourcemap: false, ...extra.build },
    ...(extra.resolve ? { resolve: extra.resolve } : {}),
  });
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
