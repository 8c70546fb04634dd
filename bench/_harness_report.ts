// What a benchmark prints: the Markdown tables of medians and paired ratios, the per-round
// spread, the outside load, and the machine and tool versions the figures were taken on.
import type { BenchOptions, BenchSpec, Column, RunRecord, ServerSpec } from "./_harness_types.ts";

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

function fmtNum(x: number | undefined, digits: number): string {
  if (x === undefined || !Number.isFinite(x)) return "n/a";
  return x.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A run taken while something else used the CPUs; shown, but left out of the medians. */
function disturbed(r: RunRecord, opts: BenchOptions): boolean {
  return r.other !== undefined && r.other > opts.maxOther;
}

function values(
  records: readonly RunRecord[],
  server: string,
  col: Column,
  opts: BenchOptions,
): number[] {
  const out: number[] = [];
  for (const r of records) {
    if (r.server !== server || disturbed(r, opts)) continue;
    const res = r.modes[col.mode];
    const v = res ? col.value(res) : undefined;
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** This server's figure over the baseline's, round by round: both ran minutes apart at most,
 * so a slow phase of the machine that hits a whole round cancels out of the ratio. */
function pairedRatios(
  records: readonly RunRecord[],
  server: string,
  baseline: string,
  col: Column,
  opts: BenchOptions,
): number[] {
  const out: number[] = [];
  const at = (id: string, round: number) => {
    const rec = records.find((r) => r.server === id && r.round === round);
    const res = rec && !disturbed(rec, opts) ? rec.modes[col.mode] : undefined;
    return res ? col.value(res) : undefined;
  };
  for (const r of records) {
    if (r.server !== server) continue;
    const v = at(server, r.round), b = at(baseline, r.round);
    if (v !== undefined && b !== undefined && b > 0) out.push(v / b);
  }
  return out;
}

function oneLine(msg: string): string {
  const flat = msg.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" / ");
  return flat.length > 400 ? `${flat.slice(0, 400)}...` : flat;
}

/** Renders the median tables as Markdown. */
export function renderTables(
  spec: BenchSpec,
  opts: BenchOptions,
  records: readonly RunRecord[],
): string {
  const servers = opts.servers
    .map((id) => spec.servers.find((s) => s.id === id))
    .filter((s): s is ServerSpec => s !== undefined);
  const out: string[] = [];
  for (const table of spec.tables) {
    const cols = table.columns.filter((c) => opts.modes.includes(c.mode));
    if (cols.length === 0) continue;
    out.push(`### ${table.title}`, "");
    out.push(`| server | ${cols.map((c) => c.header).join(" | ")} |`);
    out.push(`| :-- | ${cols.map(() => "--:").join(" | ")} |`);
    for (const s of servers) {
      const cells = cols.map((c) => {
        if (!c.ratio) return fmtNum(median(values(records, s.id, c, opts)), c.digits);
        const r = median(pairedRatios(records, s.id, c.baseline ?? spec.baseline, c, opts));
        return r === undefined ? "n/a" : `${fmtNum(r, c.digits)}×`;
      });
      out.push(`| ${s.label} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  const spread = (spec.spread ?? []).filter((c) => opts.modes.includes(c.mode));
  if (spread.length > 0) {
    out.push("### Every round (run order rotates each round)", "");
    out.push(`| server | ${spread.map((c) => `${c.header} per round`).join(" | ")} |`);
    out.push(`| :-- | ${spread.map(() => ":--").join(" | ")} |`);
    for (const s of servers) {
      const cells = spread.map((c) => {
        const per = [];
        for (let round = 1; round <= opts.rounds; round++) {
          const r = records.find((x) => x.server === s.id && x.round === round);
          const res = r?.modes[c.mode];
          const v = res ? c.value(res) : undefined;
          const mark = r && disturbed(r, opts) ? "*" : "";
          per.push(v === undefined ? "FAILED" : fmtNum(v, c.digits) + mark);
        }
        return per.join(", ");
      });
      out.push(`| ${s.label} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  const redone = records.reduce((n, r) => n + r.attempts - 1, 0);
  const busy = records.filter((r) => disturbed(r, opts)).length;
  const others = records.map((r) => r.other).filter((x) => x !== undefined);
  out.push(
    `Outside load (CPU used by neither server nor loadgen in a measured window): median ` +
      `${fmtNum(median(others), 2)}, max ${fmtNum(Math.max(...others), 2)} cores; ` +
      `${redone} server run(s) redone for exceeding ${opts.maxOther} cores, ` +
      `${busy} still above it after ${opts.retries} retries` +
      `${busy ? " (marked *, left out of the medians)" : ""}.`,
    "",
  );
  const failures = records.flatMap((r) =>
    Object.entries(r.errors).map(([mode, msg]) =>
      `- round ${r.round}, ${r.server}, ${mode}: ${msg}`
    )
  );
  if (failures.length > 0) {
    out.push("### FAILURES", "", ...failures.map(oneLine), "");
  }
  return out.join("\n");
}

async function firstLine(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(r.success ? r.stdout : r.stderr);
    return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "?";
  } catch {
    return "?";
  }
}

/** Deno demands --allow-all to read /proc, so ask cat, which --allow-run already covers. */
export function procFile(path: string): Promise<string> {
  return firstLine("cat", [path]);
}

/** /proc/loadavg, for the report: before and after a benchmark, as a hint of outside load. */
export function loadAverage(): Promise<string> {
  return procFile("/proc/loadavg");
}

/** The real interpreter behind a pyenv shim, so the pid the harness watches is python's own. */
export async function pythonExecutable(): Promise<string> {
  const r = await new Deno.Command("python3", {
    args: ["-c", "import sys; print(sys.executable)"],
    stdout: "piped",
  }).output();
  const exe = new TextDecoder().decode(r.stdout).trim();
  return r.success && exe !== "" ? exe : "python3";
}

/** A description of the machine and tool versions, for the report. */
export async function machineInfo(): Promise<string> {
  const model = (await firstLine("grep", ["-m1", "model name", "/proc/cpuinfo"]))
    .split(":")[1]?.trim();
  const kernel = await firstLine("uname", ["-sr"]);
  const [gcc, node, python] = await Promise.all([
    firstLine("gcc", ["--version"]),
    firstLine("node", ["--version"]),
    firstLine("python3", ["--version"]),
  ]);
  return [
    `- CPU: ${navigator.hardwareConcurrency} × ${model ?? "?"}, ${kernel}`,
    `- deno ${Deno.version.deno} (V8 ${Deno.version.v8}), node ${node}, ${python}, ${gcc}`,
  ].join("\n");
}

/** What a report says after its opening paragraph: the machine, the load average around the
 * run, and the command that reproduces it; ends with a blank line. */
export async function reportContext(
  command: string,
  loadBefore: string,
  loadAfter: string,
): Promise<string> {
  return [
    await machineInfo(),
    `- load average before: ${loadBefore}; after: ${loadAfter}`,
    "",
    "```sh",
    command,
    "```",
    "",
  ].join("\n");
}
