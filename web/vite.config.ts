// Vite build of the web app. The app is served by the API process (src/web.ts)
// from web/dist, so there is no dev proxy to configure beyond /api and /log.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const ledgerDir = path.resolve(here, '../src/ledger');
const browserPrimitives = path.resolve(here, 'src/ledger/primitives.ts');

// src/ledger's pure modules reach cryptography only through ./primitives.ts
// (node:crypto). In the browser that one file is swapped for a same-signature
// implementation, so the verifier the CLI runs is the one the page runs.
function swapLedgerPrimitives(): Plugin {
  return {
    name: 'porchlight-ledger-primitives',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './primitives.ts' && importer && path.dirname(importer) === ledgerDir) return browserPrimitives;
      return null;
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [swapLedgerPrimitives(), react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    fs: { allow: [path.resolve(here, '..')] },
    proxy: { '/api': 'http://127.0.0.1:8080', '/log': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' },
  },
});
