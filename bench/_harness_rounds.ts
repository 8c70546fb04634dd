// The run itself: rounds in rotating order, a fresh server per contender and round, waits for an
// idle machine, and runs redone while outside load spoils them; runBench ties it all together.
import type {
  BenchOptions,
  BenchSpec,
  LoadgenResult,
  ModeSpec,
  RunningServer,
  RunRecord,
  ServerSpec,
} from "./_harness_types.ts";
import { buildC, withCleanup } from "./_harness_processes.ts";
import { runLoadgen, startServer } from "./_harness_servers.ts";
import { loadAverage, procFile, renderTables, reportContext } from "./_harness_report.ts";

/** CPU (in cores) that neither the server nor the loadgen used during the measured window:
 * the machine may be shared, and a figure taken while something else ran is not comparable. */
export function otherCpu(r: LoadgenResult): number | undefined {
  const cores = r["cores_busy"], server = r["server_cpu"], client = r["client_cpu"];
  if (!Array.isArray(cores) || typeof server !== "number" || typeof client !== "number") {
    return undefined;
  }
  const busy = cores.reduce((a: number, b: number) => a + b, 0);
  return Math.max(0, busy - server - client);
}

/** Busy cores (summed over all cores) over about `ms`, from /proc/stat. */
async function busyCores(ms: number): Promise<number> {
  const sample = async () => {
    const line = await procFile("/proc/stat");
    // "cpu user nice system idle iowait irq softirq steal ...": all cores together.
    const v = line.split(/\s+/).slice(1, 9).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  };
  const a = await sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = await sample();
  const dt = b.total - a.total;
  return dt > 0 ? ((b.busy - a.busy) / dt) * navigator.hardwareConcurrency : 0;
}

/** Waits until the machine is idle (the harness's own sampling aside); returns false if it
 * never was within `opts.quietWait` seconds. */
export async function waitQuiet(
  opts: Pick<BenchOptions, "quietWait" | "maxOther">,
): Promise<boolean> {
  const deadline = Date.now() + opts.quietWait * 1000;
  let told = false;
  for (;;) {
    const busy = await busyCores(500);
    if (busy < opts.maxOther) return true;
    if (Date.now() >= deadline) {
      console.error(`machine still busy (${busy.toFixed(2)} cores); running anyway`);
      return false;
    }
    if (!told) console.error(`waiting for the machine to go idle (${busy.toFixed(2)} cores busy)`);
    told = true;
  }
}

/**
 * Connections in TIME_WAIT that a run may start with. Every connection of a churn run leaves one
 * (the loadgen closes first) for 60 s, and a run makes about 30,000; with 100,000 or more left
 * by the runs before, loopback connects and accepts cost the server 40-60 µs more per
 * connection (measured: raw Deno 72 -> 104 µs, pynet 90 -> 148), so the run would measure the
 * kernel's tables and the order the servers ran in rather than the server.
 */
const TIME_WAIT_START = 30_000;

/** Connections in TIME_WAIT now (/proc/net/sockstat), or 0 where that cannot be read. */
async function timeWaitCount(): Promise<number> {
  // Through cat: Deno asks for --allow-all to read /proc/net files itself.
  const out = await new Deno.Command("cat", { args: ["/proc/net/sockstat"], stderr: "null" })
    .output().catch(() => null);
  const text = out ? new TextDecoder().decode(out.stdout) : "";
  const m = /^TCP:.*\btw (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Waits (up to 70 s, a TIME_WAIT's life and some) until few enough TIME_WAITs are left. */
async function waitTimeWait(): Promise<void> {
  const deadline = Date.now() + 70_000;
  let told = false;
  for (;;) {
    const tw = await timeWaitCount();
    if (tw < TIME_WAIT_START || Date.now() >= deadline) return;
    if (!told) console.error(`waiting for ${tw} TIME_WAIT connections to expire`);
    told = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** One contender's modes in one round, on a fresh server process. The contender, `id`, is
 * either that server or a client (then `loadgen`) measured against a fixed server. */
export async function runContender(
  id: string,
  round: number,
  server: ServerSpec,
  loadgen: string,
  modes: readonly ModeSpec[],
  opts: BenchOptions,
): Promise<RunRecord> {
  const rec: RunRecord = { round, server: id, modes: {}, errors: {}, attempts: 1 };
  let running: RunningServer | undefined;
  try {
    for (const m of modes) {
      try {
        running ??= await startServer(server, opts.serverCore);
        if (m.args[0] === "churn") await waitTimeWait();
        const res = await runLoadgen(loadgen, m, running, opts);
        await running.alive();
        rec.modes[m.id] = res;
        console.error(`round ${round}/${opts.rounds} ${id} ${m.id}: ${JSON.stringify(res)}`);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        rec.errors[m.id] = msg;
        console.error(`\n!!!!! FAILURE: round ${round} ${id} ${m.id}\n${msg}\n`);
        // A dead server cannot serve the next mode, and a mismatch may have left it
        // wedged: the next mode gets a fresh one.
        await running?.stop();
        running = undefined;
      }
    }
  } finally {
    await running?.stop();
  }
  return rec;
}

/** Runs `one` for every contender in every round, each run redone while outside load spoils
 * it (the last attempt is kept either way, and marked by renderTables). */
export async function runRounds(
  ids: readonly string[],
  one: (id: string, round: number) => Promise<RunRecord>,
  opts: BenchOptions,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    // Rotating the start means every contender runs in every position once per n rounds, so
    // a slow drift of the machine (another tenant, thermal) does not favour one of them.
    const shift = (round - 1) % Math.max(1, ids.length);
    const order = [...ids.slice(shift), ...ids.slice(0, shift)];
    for (const id of order) {
      for (let attempt = 1;; attempt++) {
        await waitQuiet(opts);
        const rec = await one(id, round);
        rec.attempts = attempt;
        const others = Object.values(rec.modes).map(otherCpu).filter((x) => x !== undefined);
        if (others.length > 0) rec.other = Math.max(...others);
        const busy = rec.other !== undefined && rec.other > opts.maxOther;
        if (!busy || attempt > opts.retries || Object.keys(rec.errors).length > 0) {
          records.push(rec);
          break;
        }
        console.error(
          `round ${round} ${id}: ${rec.other?.toFixed(2)} cores of outside load; redoing`,
        );
      }
    }
  }
  return records;
}

/** Builds, runs every round, prints progress on stderr and the Markdown report on stdout.
 * Returns false if any run failed. */
export async function runBench(spec: BenchSpec, opts: BenchOptions): Promise<boolean> {
  const unknownServers = opts.servers.filter((id) => !spec.servers.some((s) => s.id === id));
  const unknownModes = opts.modes.filter((id) => !spec.modes.some((m) => m.id === id));
  if (unknownServers.length || unknownModes.length) {
    throw new Error(
      `unknown ${unknownServers.length ? `servers: ${unknownServers.join(", ")}` : ""}` +
        `${unknownModes.length ? ` modes: ${unknownModes.join(", ")}` : ""}; known servers: ` +
        `${spec.servers.map((s) => s.id).join(", ")}; modes: ${
          spec.modes.map((m) => m.id).join(", ")
        }`,
    );
  }
  const servers = opts.servers.map((id) => spec.servers.find((s) => s.id === id)!);
  const modes = spec.modes.filter((m) => opts.modes.includes(m.id));

  return await withCleanup(async () => {
    const loadgen = await buildC("bench/loadgen.c", "bench/build/loadgen");
    for (const s of servers) if (s.build) await buildC(s.build.src, s.build.out);

    const loadBefore = await loadAverage();
    const started = new Date();
    const records = await runRounds(
      servers.map((s) => s.id),
      (id, round) =>
        runContender(id, round, servers.find((s) => s.id === id)!, loadgen, modes, opts),
      opts,
    );
    const loadAfter = await loadAverage();

    if (opts.json) {
      await Deno.writeTextFile(
        opts.json,
        JSON.stringify({ spec: spec.title, opts, records }, null, 2),
      );
    }
    const report = [
      `## ${spec.title}`,
      "",
      `${started.toISOString()}: ${opts.rounds} rounds × ${servers.length} servers, ` +
      `${opts.warmup} s warm-up + ${opts.duration} s measured per mode; ` +
      `server on core ${opts.serverCore}, loadgen on core ${opts.loadgenCore}; ` +
      `medians over rounds; a ratio is the median over rounds of the figure divided by ` +
      `the ${spec.baseline} server's figure in the same round.`,
      "",
      await reportContext(spec.command, loadBefore, loadAfter),
      renderTables(spec, opts, records),
    ].join("\n");
    console.log(report);
    return records.every((r) => Object.keys(r.errors).length === 0);
  });
}
