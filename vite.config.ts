/**
 * Build of the browser preview (src/web) into dist/web; `egobridge preview` serves it.
 * The simulation runs in a module Web Worker (src/web/resim/worker.ts) on the same src/sim code
 * as the CLI; Rapier's compat build inlines its WebAssembly, so no wasm plugin is needed.
 */
import path from "node:path";
import { defineConfig } from "vite";

const root = path.resolve(import.meta.dirname, "src", "web");

export default defineConfig({
  root,
  base: "./",
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: path.resolve(import.meta.dirname, "dist", "web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // three.js and the inlined Rapier WebAssembly are large by nature; say so only past that.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
    rollupOptions: {
      // The preview app, and the page the camera renderer drives (src/render/renderer.ts).
      input: { index: path.join(root, "index.html"), render: path.join(root, "render.html") },
      onwarn(warning, warn) {
        // zod's sources carry comments Rollup cannot place; harmless, and noisy on every build.
        if (warning.code === "INVALID_ANNOTATION") return;
        warn(warning);
      },
    },
  },
  worker: { format: "es" },
});
