// Bundles the Node entry points into dist/ with esbuild, so `npm start` loads one file instead of
// compiling hundreds of TypeScript and package modules at every start (2 s with tsx; ~0.3 s
// bundled). Native packages, and pino (which loads its transports by path), stay external.
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { build } from "esbuild";

/**
 * zod re-exports every one of its ~60 locales (`z.locales.he`, `z.core.locales.ru`, ...), so
 * `import { z } from "zod"` bundles them all: ~360 KB of translations that every start parses and
 * nothing here selects. Error messages stay in English: zod's schemas import locales/en.js directly
 * and make it the default. The locales index becomes one that offers English only.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: args.path, namespace: "zod-locales", pluginData: dirname(args.importer) }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: args.pluginData,
      loader: "js",
    }));
  },
};

// Chunk names carry content hashes: without a clean slate, every build leaves the last one's behind.
rmSync("dist", { recursive: true, force: true });

await build({
  entryPoints: { main: "src/runtime/node/main.ts", "admin-cli": "src/runtime/node/admin-cli.ts" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["better-sqlite3", "sharp", "pg", "pino"],
  plugins: [zodEnglishOnly],
  // CommonJS packages inside an ES module bundle call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: "linked",
  outdir: "dist",
  logLevel: "warning",
});
