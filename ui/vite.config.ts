import { defineConfig } from "vitest/config";

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all we need,
// and it keeps the install small.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  test: { environment: "node", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
