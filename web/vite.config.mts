import { defineConfig } from 'vite';

// Relative asset paths: the built files work from any path on any static host.
export default defineConfig({
  base: './',
  build: { target: 'es2022', sourcemap: true },
  server: { port: 3000 },
});
