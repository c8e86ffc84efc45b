/** Vite build of the editor: sources in client/, output in client/dist (served by `loraflow serve`). */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
// `vite dev` forwards the API and the WebSocket to a running `loraflow serve` as if the page came from it: the
// server answers only to its own Host and refuses state changes from any other Origin (server/http/request-guard.ts).
const target = process.env.LORAFLOW_SERVER ?? 'http://127.0.0.1:8420';
const asServer = { changeOrigin: true, headers: { origin: new URL(target).origin } };

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': { target, ...asServer },
      '/ws': { target: target.replace(/^http/, 'ws'), ws: true, ...asServer },
    },
  },
});
