import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Multi-page build: every page is an HTML entry; the platform serves `dist/` on 443.
export default defineConfig({
  root: resolve(import.meta.dirname),
  base: '/',
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        demo: resolve(import.meta.dirname, 'demo/index.html'),
        acdDemo: resolve(import.meta.dirname, 'acd-demo/index.html'),
        tester: resolve(import.meta.dirname, 'tester/index.html'),
        agent: resolve(import.meta.dirname, 'agent/index.html'),
        supervisor: resolve(import.meta.dirname, 'supervisor/index.html'),
      },
    },
  },
});
