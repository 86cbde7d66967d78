// Bundles the Node entry points into dist/ with esbuild, so `npm start` loads one file instead of
// compiling hundreds of TypeScript and package modules at every start (2 s with tsx; ~0.3 s
// bundled). Native packages, and pino (which loads its transports by path), stay external.
import { rmSync } from "node:fs";
import { build } from "esbuild";

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
  // CommonJS packages inside an ES module bundle call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: "linked",
  outdir: "dist",
  logLevel: "warning",
});
