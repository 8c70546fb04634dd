/**
 * asynchat record parsing throughput on pynet, for bench/asyncore_bench.ts.
 *
 * An `AsyncChat` with no socket whose `recv` is overridden to hand out a prepared stream of
 * 10-byte records (nine bytes and the terminator "\n") in reads of `--read` bytes; the loop calls
 * the real `handleRead`, which scans, calls `collectIncomingData` and `foundTerminator` as for a
 * socket. bench/asynchat_parse_cpython.py does the same on CPython, step for step.
 *
 * Prints one JSON line: bytes and records parsed per second over the measured window.
 *
 *   deno run --import-map=import_map.json bench/asynchat_parse_pynet.ts --read 1 \
 *     [--warmup 0.5] [--duration 2]
 *
 * @module
 */
import process from "node:process";
import { AsyncChat } from "../asynchat/mod.ts";

const RECORD = new TextEncoder().encode("abcdefghi\n");
// Ten 64 KiB reads' worth, a whole number of records and of reads of every size used, so the
// stream wraps around on a record boundary.
const STREAM = new Uint8Array(RECORD.length * 65536);
for (let i = 0; i < STREAM.length; i += RECORD.length) STREAM.set(RECORD, i);
const CHECK_EVERY = 65536; // bytes between clock reads

class Parser extends AsyncChat {
  pos = 0;
  line: Uint8Array[] = [];
  records = 0;

  constructor(readonly readSize: number) {
    super();
    this.setTerminator(new TextEncoder().encode("\n"));
  }

  // As CPython's slice does, each read is a new bytes object over the stream.
  override recv(bufferSize: number): Promise<Uint8Array> {
    const n = Math.min(bufferSize, this.readSize);
    const data = STREAM.subarray(this.pos, this.pos + n);
    this.pos = (this.pos + n) % STREAM.length;
    return Promise.resolve(data);
  }

  override collectIncomingData(data: Uint8Array): void {
    this.line.push(data);
  }

  override foundTerminator(): void {
    // b"".join(self.line): one part is returned as it is, as CPython's join does.
    const record = this.line.length === 1 ? this.line[0]! : join(this.line);
    this.line = [];
    if (record.length !== 9) {
      console.error(`PARSE FAILURE: a record of ${record.length} bytes`);
      Deno.exit(2);
    }
    this.records++;
  }
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds reads for about `seconds`: [elapsed seconds, bytes, records]. */
async function run(parser: Parser, seconds: number): Promise<[number, number, number]> {
  const reads = Math.max(1, Math.floor(CHECK_EVERY / parser.readSize));
  const start = performance.now();
  const end = start + seconds * 1000;
  const first = parser.records;
  let bytes = 0;
  for (;;) {
    for (let i = 0; i < reads; i++) await parser.handleRead();
    bytes += reads * parser.readSize;
    const now = performance.now();
    if (now >= end) return [(now - start) / 1000, bytes, parser.records - first];
  }
}

function flag(name: string, fallback?: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(Deno.args[at + 1]) : fallback;
  if (value === undefined || !Number.isFinite(value) || value < 0) {
    console.error(
      "usage: asynchat_parse_pynet.ts --read N [--warmup 0.5] [--duration 2]",
    );
    Deno.exit(64);
  }
  return value;
}

const read = flag("read");
if (!Number.isInteger(read) || read < 1 || STREAM.length % read !== 0) {
  console.error(`--read must divide ${STREAM.length}`);
  Deno.exit(64);
}
const parser = new Parser(read);
await run(parser, flag("warmup", 0.5));
const cpu0 = process.cpuUsage();
const [secs, bytes, records] = await run(parser, flag("duration", 2));
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({
  mode: `parse${read}`,
  read,
  seconds: Number(secs.toFixed(4)),
  bytes,
  records,
  mbps: Number((bytes / 1e6 / secs).toFixed(3)),
  records_per_s: Number((records / secs).toFixed(1)),
  client_cpu: Number(((cpu.user + cpu.system) / 1e6 / secs).toFixed(3)),
}));
