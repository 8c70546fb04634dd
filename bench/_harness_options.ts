// The benchmark scripts' command line: the flags every script shares (--servers, --rounds,
// --duration...) plus each script's own numeric ones, and the line that reruns a script.
import type { BenchOptions } from "./_harness_types.ts";

/** The command line that runs a harness bench script from the repository root (for --help and
 * the reports' "reproduce" lines). */
export function benchCommand(file: string): string {
  return "./tools/node_modules/.bin/deno run --allow-run --allow-read --allow-write " +
    `--allow-net=127.0.0.1 --import-map=import_map.json ${file}`;
}

/** A comma-separated flag value as its non-empty, trimmed items. */
export function splitList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Removes a script's own string flags (`--name value` or `--name=value`) from `args` before
 * parseOptions sees the rest; returns them by name. */
export function takeFlags(args: string[], names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    for (const name of names) {
      if (a === `--${name}` && i + 1 < args.length) {
        out[name] = args[i + 1] ?? "";
        args.splice(i, 2);
        i--;
      } else if (a.startsWith(`--${name}=`)) {
        out[name] = a.slice(name.length + 3);
        args.splice(i, 1);
        i--;
      }
    }
  }
  return out;
}

/** Parses `--name value` (or `--name=value`) flags. `defaults.extra` declares the script's
 * own numeric flags and their defaults. */
export function parseOptions<E extends Record<string, number>>(
  args: readonly string[],
  defaults: { servers: readonly string[]; modes: readonly string[]; extra: E },
  usage: string,
): BenchOptions<E> {
  const opts: BenchOptions<E> = {
    servers: [...defaults.servers],
    modes: [...defaults.modes],
    rounds: 7,
    warmup: 0.5,
    duration: 2,
    timeout: 10,
    serverCore: 0,
    loadgenCore: 1,
    quietWait: 60,
    maxOther: 0.15,
    retries: 2,
    extra: { ...defaults.extra },
  };
  const bad = (msg: string): never => {
    console.error(`${msg}\n\n${usage}`);
    Deno.exit(64);
  };
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < 0) bad(`bad value for --${name}: ${v}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? "";
    if (flag === "--help" || flag === "-h") {
      console.log(usage);
      Deno.exit(0);
    }
    if (!flag.startsWith("--")) bad(`unexpected argument: ${flag}`);
    const eq = flag.indexOf("=");
    const name = eq >= 0 ? flag.slice(2, eq) : flag.slice(2);
    const value = eq >= 0 ? flag.slice(eq + 1) : args[++i];
    if (value === undefined) return bad(`--${name} needs a value`);
    const list = () => splitList(value);
    switch (name) {
      case "servers":
        opts.servers = list();
        break;
      case "modes":
        opts.modes = list();
        break;
      case "rounds":
        opts.rounds = Math.max(1, Math.floor(num(name, value)));
        break;
      case "warmup":
        opts.warmup = num(name, value);
        break;
      case "duration":
        opts.duration = num(name, value);
        break;
      case "timeout":
        opts.timeout = num(name, value);
        break;
      case "server-core":
        opts.serverCore = num(name, value);
        break;
      case "loadgen-core":
        opts.loadgenCore = num(name, value);
        break;
      case "quiet-wait":
        opts.quietWait = num(name, value);
        break;
      case "max-other":
        opts.maxOther = num(name, value);
        break;
      case "retries":
        opts.retries = Math.floor(num(name, value));
        break;
      case "json":
        opts.json = value;
        break;
      default:
        if (Object.hasOwn(opts.extra, name)) {
          (opts.extra as Record<string, number>)[name] = num(name, value);
        } else bad(`unknown flag --${name}`);
    }
  }
  return opts;
}
