import type { ProxyOptions } from "vite";
import { defineConfig } from "vitest/config";

// `npm run dev` talks to a `uas serve` on the default port. The service
// refuses a foreign Origin (CSRF), so the proxy drops the dev server's;
// the access token is still required.
const service: ProxyOptions = {
  target: "http://127.0.0.1:7878",
  configure: (server) => {
    // Typed by hand: the event typings need @types/node, not installed here.
    const proxy = server as unknown as { on(event: string, fn: (req: { removeHeader(name: string): void }) => void): void };
    proxy.on("proxyReq", (req) => req.removeHeader("origin"));
    proxy.on("proxyReqWs", (req) => req.removeHeader("origin"));
  },
};

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all we need,
// and it keeps the install small.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    proxy: { "/api": { ...service, ws: true }, "/health": service, "/metrics": service },
  },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  test: { environment: "node", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
