import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The call widget as one self-contained classic script at a stable URL,
 * `dist/widget/switchboard-call.js` (served as /widget/switchboard-call.js): a site embeds it
 * with a single <script> tag, no module loader, no hashed chunk names, no CSS file.
 * Built after the pages by the `widgetBundle` plugin of vite.config.ts, or alone with
 * `npx vite build -c apps/web/vite.widget.config.ts apps/web`.
 */
export default defineConfig({
  root: resolve(import.meta.dirname),
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/widget'),
    // The page build owns dist/ (and empties it); this build only adds its own folder.
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    copyPublicDir: false,
    lib: {
      entry: resolve(import.meta.dirname, 'src/widget/index.ts'),
      name: 'SwitchboardWidget',
      formats: ['iife'],
      fileName: () => 'switchboard-call.js',
    },
  },
});
