import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { roomChunk } from './room-chunk.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [roomChunk.plugin],
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: { output: { codeSplitting: { groups: [roomChunk.group] } } },
  },
  server: {
    proxy: { '/health': 'http://localhost:2567', '/api': 'http://localhost:2567' },
  },
});
