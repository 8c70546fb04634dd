// The same wrong calls in CPython and in pynet, their exception classes (and errnos) compared:
// tests/differential/cases.json (written by tests/differential/gen_cases.py) is run by
// tests/differential/python_runner.py in python3 and by tests/differential/pynet_runner.ts in
// a child Deno; at least 98% of the calls must raise the same class (or both succeed).
import { assert } from "@std/assert";
import { within } from "./_helpers.ts";

interface Result {
  id: string;
  error: string | null;
  errno: number | null;
  message?: string;
}

const HERE = new URL("./differential/", import.meta.url);

async function run(command: string, args: string[]): Promise<Result[]> {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", PYTHONWARNINGS: "ignore" },
  }).spawn();
  const out = new Response(child.stdout).text();
  const err = new Response(child.stderr).text();
  const status = await within(child.status, 120_000, `${command} runner`).catch(async (e) => {
    child.kill("SIGKILL");
    await child.status;
    throw e;
  });
  const [stdout, stderr] = await Promise.all([out, err]);
  if (!status.success) throw new Error(`${command} runner failed: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Result[];
}

/**
 * Differences that are no defect of pynet, because Deno cannot do what CPython does: each rule
 * says why. They are listed, and left out of the rate.
 */
const ALLOWED: { why: string; test: (py: Result, js: Result, id: string) => boolean }[] = [
  {
    why: "Deno has no setsockopt()/getsockopt(): options it cannot apply or read are refused " +
      "with ENOPROTOOPT (tests/differential/README.md, socket/_options.ts), where Linux takes them",
    test: (py, js, id) =>
      /\.(set|get)sockopt\(/.test(id) && py.error === null && js.error === "OSError" &&
      /Deno cannot/.test(js.message ?? ""),
  },
  {
    why: "JavaScript functions take any number of arguments (extra ones are ignored, missing " +
      "ones are undefined): CPython's TypeError for a wrong argument count has no equivalent",
    test: (py) =>
      py.error === "TypeError" &&
      /takes (exactly|at most|from|\d+ positional)|expected at most|missing \d+ required|arguments? \(\d+ given\)/
        .test(py.message ?? ""),
  },
];

Deno.test("differential: CPython's exceptions for the same wrong calls", async () => {
  const deno = Deno.execPath();
  const [py, js] = await Promise.all([
    run("python3", [new URL("python_runner.py", HERE).pathname]),
    run(deno, [
      "run",
      "--no-config",
      "--unstable-net",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "--allow-sys=hostname",
      new URL("pynet_runner.ts", HERE).pathname,
    ]),
  ]);
  const pynet = new Map(js.map((r) => [r.id, r]));
  let compared = 0;
  let sameClass = 0;
  let sameErrno = 0;
  const allowed = new Map<string, string[]>();
  const differ: string[] = [];
  const errnoDiffer: string[] = [];
  for (const p of py) {
    const j = pynet.get(p.id);
    if (j === undefined) throw new Error(`pynet has no result for ${p.id}`);
    const rule = p.error !== j.error ? ALLOWED.find((a) => a.test(p, j, p.id)) : undefined;
    if (rule) {
      allowed.set(rule.why, [...allowed.get(rule.why) ?? [], p.id]);
      continue;
    }
    compared++;
    if (p.error === j.error) {
      sameClass++;
      if (p.errno === j.errno) sameErrno++;
      else errnoDiffer.push(`${p.id}: errno ${p.errno} / pynet ${j.errno} (${j.message})`);
    } else {
      differ.push(`${p.id}: CPython ${p.error} (${p.message}) / pynet ${j.error} (${j.message})`);
    }
  }
  const rate = sameClass / compared;
  console.log(
    `${py.length} calls, ${compared} compared: ${sameClass} same class ` +
      `(${(rate * 100).toFixed(2)}%), ${sameErrno} same class and errno`,
  );
  for (const [why, ids] of allowed) console.log(`allowed (${ids.length}): ${why}`);
  for (const line of differ) console.log(`differs: ${line}`);
  for (const line of errnoDiffer) console.log(`errno differs: ${line}`);
  assert(py.length >= 1000, `only ${py.length} cases`);
  assert(rate >= 0.98, `${(rate * 100).toFixed(2)}% of exception classes match (< 98%)`);
});
