// Bundles the Node entry points into dist/ with esbuild, so `npm start` loads one file instead of
// compiling hundreds of TypeScript and package modules at every start (2 s with tsx; ~0.3 s
// bundled). Native packages, and pino (which loads its transports by path), stay external.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

/**
 * V8 keeps a script's source as a one-byte string only if every character is Latin-1; a single
 * "\u2014" doubles the heap cost of a whole chunk (~0.7 MB more for the largest). esbuild writes
 * every non-ASCII character of the code as an escape, but copies the doc and line comments it keeps
 * verbatim, so those are written with escapes here too. Only comment lines change, and no mapping
 * points into them, so the source maps stay exact.
 */
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*)/;
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/u;
for (const file of readdirSync("dist").filter((name) => name.endsWith(".js"))) {
  const path = join("dist", file);
  const source = readFileSync(path, "utf8");
  if (!BEYOND_LATIN1.test(source)) continue;
  const lines = source
    .split("\n")
    .map((line) =>
      COMMENT_LINE.test(line)
        ? line.replace(new RegExp(BEYOND_LATIN1, "gu"), (char) => `\\u{${char.codePointAt(0).toString(16)}}`)
        : line,
    );
  const rewritten = lines.join("\n");
  if (BEYOND_LATIN1.test(rewritten)) {
    console.warn(`build: ${path} still has non-Latin-1 characters outside comments (a two-byte string in V8)`);
  }
  writeFileSync(path, rewritten);
}
