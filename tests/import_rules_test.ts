// The layering rules of ARCHITECTURE.md, checked on every source file: a module uses another
// only through its `mod.ts`; the shared core (`_core/`) imports no module; examples and
// benchmarks use the public surface (or the core, for benchmarks of it).
import { assertEquals } from "@std/assert";

const ROOT = new URL("../", import.meta.url);
const MODULES = [
  "socket",
  "select",
  "selectors",
  "ssl",
  "asyncore",
  "asynchat",
  "socketserver",
];
const CORE = "_core";

/** Every relative specifier a file names: imports, re-exports, `import()`, worker URLs. */
export function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bnew\s+URL\s*\(\s*["'](\.{1,2}\/[^"']+\.ts)["']\s*,\s*import\.meta\.url/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

/** The first folder of a path relative to the root, and the rest. */
function split(path: string): [folder: string, rest: string] {
  const slash = path.indexOf("/");
  return slash < 0 ? ["", path] : [path.slice(0, slash), path.slice(slash + 1)];
}

/**
 * Why importing `target` from `file` (both relative to the root) breaks a rule, or `null`.
 */
export function ruleBroken(file: string, target: string): string | null {
  const [from] = split(file);
  const [to, rest] = split(target);
  if (from === CORE) {
    return to === CORE ? null : "the core imports no module";
  }
  if (to === CORE) {
    return from === "examples" ? "examples use the public surface only" : null;
  }
  if (MODULES.includes(to) && to !== from && rest !== "mod.ts") {
    return `${to}/${rest} is private to ${to}: import ${to}/mod.ts`;
  }
  return null;
}

async function* sourceFiles(dir: URL, prefix: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      if (entry.name === "node_modules" || entry.name === "build") continue;
      yield* sourceFiles(new URL(`${entry.name}/`, dir), path);
    } else if (/\.(ts|mts|mjs|js)$/.test(entry.name)) {
      yield path;
    }
  }
}

function resolve(file: string, specifier: string): string {
  return new URL(specifier, new URL(file, ROOT)).pathname.slice(ROOT.pathname.length);
}

Deno.test("import rules: no module reaches into another's private files, the core into none", async () => {
  const broken: string[] = [];
  let checked = 0;
  for (const folder of [...MODULES, CORE, "examples", "bench"]) {
    for await (const file of sourceFiles(new URL(`${folder}/`, ROOT), folder)) {
      const source = await Deno.readTextFile(new URL(file, ROOT));
      for (const specifier of specifiersOf(source)) {
        checked++;
        const why = ruleBroken(file, resolve(file, specifier));
        if (why) broken.push(`${file} -> ${specifier}: ${why}`);
      }
    }
  }
  const root = await Deno.readTextFile(new URL("mod.ts", ROOT));
  for (const specifier of specifiersOf(root)) {
    checked++;
    const target = resolve("mod.ts", specifier);
    if (!target.endsWith("/mod.ts")) broken.push(`mod.ts -> ${specifier}: not a module's mod.ts`);
  }
  assertEquals(broken, []);
  // The walk found the imports it checks (a wrong root would pass with nothing read).
  assertEquals(checked > 300, true, `only ${checked} imports read`);
});

Deno.test("import rules: the checker sees each kind of import and names the broken rule", () => {
  const source = [
    'import { a } from "../socket/_errors.ts";',
    'export * from "./_constants.ts";',
    'import "../select/mod.ts";',
    'const m = await import("../ssl/_context.ts");',
    'new Worker(new URL("./_fork_worker.ts", import.meta.url));',
    '// import { b } from "@std/assert";',
  ].join("\n");
  assertEquals(specifiersOf(source).sort(), [
    "../select/mod.ts",
    "../socket/_errors.ts",
    "../ssl/_context.ts",
    "./_constants.ts",
    "./_fork_worker.ts",
  ]);
  assertEquals(
    ruleBroken("select/_poll.ts", "socket/_errors.ts"),
    "socket/_errors.ts is private to socket: import socket/mod.ts",
  );
  assertEquals(ruleBroken("select/_poll.ts", "socket/mod.ts"), null);
  assertEquals(ruleBroken("select/_poll.ts", "select/_constants.ts"), null);
  assertEquals(ruleBroken("select/_poll.ts", "_core/errno.ts"), null);
  assertEquals(ruleBroken("_core/readiness.ts", "socket/mod.ts"), "the core imports no module");
  assertEquals(
    ruleBroken("examples/demo.ts", "_core/errno.ts"),
    "examples use the public surface only",
  );
  assertEquals(
    ruleBroken("bench/x.ts", "ssl/_context.ts"),
    "ssl/_context.ts is private to ssl: import ssl/mod.ts",
  );
});
