// deno.json maps @std/* to JSR for users; our machines resolve the same specifiers through the
// npm import map. The two must never drift apart.
import { assertEquals } from "@std/assert";

const root = new URL("../", import.meta.url);

async function readImports(file: string): Promise<string[]> {
  const json = JSON.parse(await Deno.readTextFile(new URL(file, root)));
  return Object.keys(json.imports ?? {}).sort();
}

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test("deno.json and import_map.json map the same specifiers", async () => {
  assertEquals(await readImports("deno.json"), await readImports("import_map.json"));
});

Deno.test("every bare specifier the code imports is in both maps", async () => {
  const mapped = new Set(await readImports("import_map.json"));
  const used = new Set<string>();
  for await (const file of sourceFiles(root)) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(/\bfrom\s+"(@std\/[^"]+)"/g)) used.add(m[1]!);
  }
  const missing = [...used].filter((specifier) => !mapped.has(specifier)).sort();
  assertEquals(missing, []);
});

Deno.test("the npm map pins one deno-std version and names files, not async/mod.js", async () => {
  const json = JSON.parse(await Deno.readTextFile(new URL("import_map.json", root)));
  const targets = Object.values(json.imports) as string[];
  const versions = new Set(targets.map((t) => /^npm:deno-std@([\d.]+)\//.exec(t)?.[1]));
  assertEquals([...versions], ["1.4.0"]);
  assertEquals(targets.filter((t) => t.endsWith("/async/mod.js")), []);
});
