import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Relative asset paths: the built files work from any path on any static host. The client package is
// bundled from its source, so the page needs no build step of the package first.
export default defineConfig({
  base: './',
  build: { target: 'es2022', sourcemap: true },
  resolve: {
    alias: { '@switchboard/client': fileURLToPath(new URL('../packages/client/src/index.ts', import.meta.url)) },
  },
  server: { port: 3000 },
});
