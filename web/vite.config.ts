import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is built into web/dist and served by the platform at `/`; everything is bundled,
// nothing is fetched from outside at run time.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
