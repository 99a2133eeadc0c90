/**
 * The web console: Preact + plain CSS, built by Vite to console/dist and
 * served at /console/ (by local/server.ts, and by the console Lambda function
 * behind the same HTTP API). `npx vite --config console/vite.config.ts`
 * runs a dev server that proxies /v1 to a local stack ($SAMSA_URL or :4000).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // Preact's automatic JSX runtime, compiled by Vite's own transformer (no Babel).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The only asset types are one JS and one CSS file; no inlining games.
    assetsInlineLimit: 0,
    // Every browser that runs ES2022 modules supports modulepreload; skip the polyfill.
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/v1': process.env.SAMSA_URL ?? 'http://127.0.0.1:4000' } },
});
