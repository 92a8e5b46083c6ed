import { resolve } from 'node:path';
import { build, defineConfig, type Plugin } from 'vite';

/** After the pages, builds the widget bundle into dist/widget (see vite.widget.config.ts). */
function widgetBundle(): Plugin {
  return {
    name: 'switchboard-widget-bundle',
    apply: 'build',
    async closeBundle() {
      await build({ configFile: resolve(import.meta.dirname, 'vite.widget.config.ts') });
    },
  };
}

// Multi-page build: every page is an HTML entry; the platform serves `dist/` on 443.
export default defineConfig({
  root: resolve(import.meta.dirname),
  base: '/',
  plugins: [widgetBundle()],
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        demo: resolve(import.meta.dirname, 'demo/index.html'),
        acdDemo: resolve(import.meta.dirname, 'acd-demo/index.html'),
        tester: resolve(import.meta.dirname, 'tester/index.html'),
        demoSite: resolve(import.meta.dirname, 'demo-site/index.html'),
        agent: resolve(import.meta.dirname, 'agent/index.html'),
        supervisor: resolve(import.meta.dirname, 'supervisor/index.html'),
      },
    },
  },
});
