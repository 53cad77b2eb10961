import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);

// Built into dist/apps/console, which the gateway serves at /console (apps/gateway/src/web).
export default defineConfig({
  root: here('.'),
  base: '/console/',
  plugins: [react()],
  resolve: {
    alias: {
      '@parley/client': here('../../libs/client/src/index.ts'),
      '@parley/web': here('../../libs/web/src/index.ts'),
    },
  },
  build: { outDir: here('../../dist/apps/console'), emptyOutDir: true, target: 'es2022' },
  // `npx nx serve console` next to `npm start`: the API and its stream come from the gateway.
  server: { port: 5173, proxy: { '/v1': 'http://localhost:3000' } },
});
