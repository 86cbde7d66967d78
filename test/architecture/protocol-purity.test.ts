/**
 * protocol/ is the pure core (DESIGN.md: "protocol/ imports nothing outside itself and no runtime APIs
 * beyond Web standards"). This test reads every non-test source file under src/protocol/ and fails on
 * any import that leaves the folder, names a package or a `node:` module, or lacks the `.js` ending
 * that ESM resolution needs; and on the Node-only globals that would break the Workers build.
 */

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// This test lives outside src/protocol/ because it needs node:fs, which the core itself may not use.
const PROTOCOL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/protocol");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Module specifiers of static imports and re-exports (also `import type`), dynamic `import()` and
 * `require()`. */
function importSpecifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?["']([^"']+)["']/g,
    /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
    /\brequire\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** Why a specifier is not allowed from `file`, or undefined when it is fine. */
function importViolation(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
    return "imports a package or runtime module";
  }
  const target = resolve(dirname(file), specifier);
  if (target !== PROTOCOL_DIR && !target.startsWith(PROTOCOL_DIR + sep)) return "leaves src/protocol/";
  if (!specifier.endsWith(".js")) return "relative import without the .js ending";
  return undefined;
}

const NODE_GLOBALS = /\b(?:Buffer|process|require|__dirname|__filename|setImmediate)\b/;

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const files = sourceFiles(PROTOCOL_DIR);

describe("protocol/ purity", () => {
  it("finds the protocol sources", () => {
    const names = files.map((file) => relative(PROTOCOL_DIR, file));
    expect(names).toContain("canonical-json.ts");
    expect(names).not.toContain("purity.test.ts");
  });

  for (const file of files) {
    const name = relative(PROTOCOL_DIR, file);
    it(`${name} imports only from inside src/protocol/`, () => {
      const source = readFileSync(file, "utf8");
      const violations = importSpecifiers(source)
        .map((specifier) => ({ specifier, why: importViolation(file, specifier) }))
        .filter((v) => v.why !== undefined);
      expect(violations).toEqual([]);
    });

    it(`${name} uses no Node-only globals`, () => {
      const match = withoutComments(readFileSync(file, "utf8")).match(NODE_GLOBALS);
      expect(match?.[0]).toBeUndefined();
    });
  }
});

describe("the purity check itself", () => {
  const file = join(PROTOCOL_DIR, "auth", "example.ts");

  it("sees every import form", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      'import * as c from "c";',
      'import "./side-effect.js";',
      'export { d } from "node:fs";',
      'export * from "./e.js";',
      'const f = await import("f");',
      'const g = require("g");',
      "import {\n  h,\n  i,\n} from './hi.js';",
    ].join("\n");
    expect(importSpecifiers(source)).toEqual([
      "./a.js",
      "../b.js",
      "c",
      "./side-effect.js",
      "node:fs",
      "./e.js",
      "./hi.js",
      "f",
      "g",
    ]);
  });

  it("refuses packages, node: modules, escapes from the folder, and missing .js", () => {
    expect(importViolation(file, "../json.js")).toBeUndefined();
    expect(importViolation(file, "./ids.js")).toBeUndefined();
    expect(importViolation(file, "hono")).toBe("imports a package or runtime module");
    expect(importViolation(file, "node:crypto")).toBe("imports a package or runtime module");
    expect(importViolation(file, "../../services/x.js")).toBe("leaves src/protocol/");
    expect(importViolation(file, "../../protocol/json.js")).toBeUndefined(); // resolves back inside
    expect(importViolation(file, "../json")).toBe("relative import without the .js ending");
  });

  it("spots Node globals outside comments only", () => {
    expect(withoutComments("// Buffer is not used\nconst x = 1;")).not.toMatch(NODE_GLOBALS);
    expect(withoutComments("const b = Buffer.from([]);")).toMatch(NODE_GLOBALS);
    expect(withoutComments('const url = "mxc://x/y"; process.env.X;')).toMatch(NODE_GLOBALS);
  });
});
