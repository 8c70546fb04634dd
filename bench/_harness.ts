/**
 * Shared machinery for pynet's loopback benchmarks: builds the C loadgen, starts each echo
 * server pinned to one core, drives it with the loadgen pinned to the other, alternates the
 * servers round by round, and prints medians as Markdown.
 *
 * A benchmark script (socket_bench.ts, later select_bench.ts, ssl_bench.ts) supplies the data:
 * which servers, which loadgen modes, which columns. Nothing here is specific to one module.
 *
 * @module
 */

// The harness is split by purpose into the bench/_harness_*.ts files; this one gathers their
// exports, so that a benchmark script imports everything from one place.
export {
  type BenchOptions,
  type BenchSpec,
  type Column,
  type LoadgenResult,
  type ModeSpec,
  type RunningServer,
  type RunRecord,
  type ServerSpec,
  type TableSpec,
} from "./_harness_types.ts";
export { benchCommand, parseOptions, splitList, takeFlags } from "./_harness_options.ts";
export { acceptAll } from "./_harness_select_peer.ts";
export {
  BUILD_DIR,
  buildC,
  lineReader,
  ROOT,
  spawnPinned,
  stopChildren,
  tail,
  withCleanup,
  withTimeout,
} from "./_harness_processes.ts";
export { runLoadgen, startServer } from "./_harness_servers.ts";
export {
  loadAverage,
  machineInfo,
  pythonExecutable,
  renderTables,
  reportContext,
} from "./_harness_report.ts";
export { otherCpu, runBench, runContender, runRounds, waitQuiet } from "./_harness_rounds.ts";
