// Runs tests/differential/cases.json in pynet and prints one JSON array of results, as
// tests/differential/python_runner.py does in CPython; tests/differential_errors_test.ts
// compares the two. Run with the test's flags (see that file).
import * as socket from "../../socket/mod.ts";
import * as select from "../../select/mod.ts";
import * as selectors from "../../selectors/mod.ts";
import * as ssl from "../../ssl/mod.ts";
import * as asyncore from "../../asyncore/mod.ts";
import * as asynchat from "../../asynchat/mod.ts";
import * as socketserver from "../../socketserver/mod.ts";

interface Case {
  id: string;
  target: string;
  call: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
  js?: string;
  jsArgs?: unknown[];
  new?: boolean;
  set?: boolean;
}

interface Result {
  id: string;
  error: string | null;
  errno: number | null;
  message?: string;
}

const MODULES: Record<string, Record<string, unknown>> = {
  socket,
  select,
  selectors,
  ssl,
  asyncore,
  asynchat,
  socketserver,
};
const CERTS = new URL("../certs/", import.meta.url).pathname;
const HANG_MS = 2000;

type Closable = { close(): unknown };

class Setup {
  closers: Closable[] = [];
  reg: unknown = null;
  peer: unknown = null;

  keep<T>(obj: T): T {
    const c = obj as Partial<Closable> | null;
    if (c && typeof c === "object" && typeof c.close === "function") {
      this.closers.push(c as Closable);
    }
    return obj;
  }

  async sock(kind: string): Promise<socket.Socket> {
    switch (kind) {
      case "tcp4":
        return this.keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM));
      case "tcp6":
        return this.keep(socket.socket(socket.AF_INET6, socket.SOCK_STREAM));
      case "udp4":
        return this.keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
      case "udp6":
        return this.keep(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM));
      case "tcp4_closed": {
        const s = socket.socket();
        s.close();
        return s;
      }
      case "tcp4_bound": {
        const s = await this.sock("tcp4");
        s.bind(["127.0.0.1", 0]);
        return s;
      }
      case "tcp4_listen": {
        const s = await this.sock("tcp4_bound");
        s.listen();
        return s;
      }
      case "tcp4_conn": {
        const listener = await this.sock("tcp4_listen");
        this.peer = listener.getsockname();
        const s = await this.sock("tcp4");
        await s.connect(this.peer as socket.Address);
        this.keep((await listener.accept())[0]);
        return s;
      }
    }
    throw new Error(`unknown socket ${kind}`);
  }

  async target(name: string): Promise<unknown> {
    if (name in MODULES) return MODULES[name];
    if (name.startsWith("tcp") || name.startsWith("udp")) return await this.sock(name);
    if (name.startsWith("poll")) {
      const p = select.poll();
      if (name === "poll_reg") p.register((this.reg = await this.sock("tcp4")) as socket.Socket);
      return p;
    }
    if (name.startsWith("epoll")) {
      const e = this.keep(select.epoll());
      if (name !== "epoll") e.register((this.reg = await this.sock("tcp4")) as socket.Socket);
      if (name === "epoll_closed") e.close();
      return e;
    }
    if (name.startsWith("sel")) {
      const s = this.keep(new selectors.DefaultSelector());
      if (name !== "sel") {
        s.register((this.reg = await this.sock("tcp4")) as socket.Socket, selectors.EVENT_READ);
      }
      if (name === "sel_closed") s.close();
      return s;
    }
    if (name === "ctx_client") return new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    if (name === "ctx_server") return new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    if (name === "dispatcher") return this.keep(new asyncore.Dispatcher(null, new Map()));
    if (name === "dispatcher4") {
      const d = this.keep(new asyncore.Dispatcher(null, new Map()));
      d.createSocket(socket.AF_INET, socket.SOCK_STREAM);
      return d;
    }
    if (name === "chat") return this.keep(new asynchat.AsyncChat(null, new Map()));
    throw new Error(`unknown target ${name}`);
  }

  async value(v: unknown): Promise<unknown> {
    if (Array.isArray(v)) return await Promise.all(v.map((x) => this.value(x)));
    if (v === "$peer") return this.peer;
    if (v === null || typeof v !== "object") return v;
    const m = v as Record<string, unknown>;
    if ("$b" in m || "$ba" in m) {
      const hex = String(m.$b ?? m.$ba);
      return new Uint8Array(hex.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
    }
    if ("$i" in m) return Number(m.$i);
    if ("$f" in m) return m.$f === "nan" ? NaN : m.$f === "inf" ? Infinity : -Infinity;
    if ("$sur" in m) return String.fromCharCode(parseInt(String(m.$sur), 16));
    if ("$list" in m) return await this.value(m.$list);
    if ("$sock" in m) return await this.sock(String(m.$sock));
    if ("$reg" in m) return this.reg;
    if ("$cert" in m) return CERTS + String(m.$cert);
    if ("$handler" in m) return socketserver.BaseRequestHandler;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(m)) out[k] = await this.value(x);
    return out;
  }

  close(): void {
    for (const obj of this.closers.reverse()) {
      try {
        obj.close();
      } catch {
        // Closing what a case left behind: its errors are not the case's.
      }
    }
  }
}

/** snake_case -> camelCase, as pynet names Python's methods. */
function jsName(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

// The engine's own TypeErrors (a missing method, a wrong shape) are not pynet's answers.
const ENGINE_TYPE_ERROR =
  /is not a function|Cannot read properties|is not iterable|Cannot convert|Cannot mix BigInt|is not a constructor|object is not extensible|Cannot set property/;

function classify(id: string, e: unknown): Result {
  if (!(e instanceof Error)) return { id, error: `non-Error ${String(e)}`, errno: null };
  let error = e.constructor.name;
  // pynet's own messages quote Python type names ("'NoneType' object is not iterable").
  if (
    e.constructor === TypeError && ENGINE_TYPE_ERROR.test(e.message) && !e.message.startsWith("'")
  ) {
    error = "JSTypeError";
  }
  const errno = (e as { errno?: unknown }).errno;
  return {
    id,
    error,
    errno: typeof errno === "number" ? errno : null,
    message: e.message.slice(0, 200),
  };
}

async function run(c: Case): Promise<Result> {
  const setup = new Setup();
  try {
    const target = await setup.target(c.target) as Record<string, unknown>;
    const args = await setup.value(c.jsArgs ?? c.args) as unknown[];
    const name = c.js ?? jsName(c.call);
    if (c.set) {
      target[name] = args[0];
      return { id: c.id, error: null, errno: null };
    }
    const fn = target[name];
    if (typeof fn !== "function") return { id: c.id, error: `missing ${name}`, errno: null };
    const called = c.new
      ? new (fn as new (...a: unknown[]) => unknown)(...args)
      : (fn as (...a: unknown[]) => unknown).apply(target, args);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<"hang">((resolve) =>
      timer = setTimeout(() => resolve("hang"), HANG_MS)
    );
    const promise = Promise.resolve(called);
    promise.catch(() => {});
    const result = await Promise.race([promise, hang]);
    clearTimeout(timer);
    if (result === "hang") return { id: c.id, error: "hang", errno: null };
    if (Array.isArray(result)) setup.keep(result[0]);
    setup.keep(result);
    return { id: c.id, error: null, errno: null };
  } catch (e) {
    return classify(c.id, e);
  } finally {
    setup.close();
    socket.setdefaulttimeout(null);
  }
}

const cases = JSON.parse(
  await Deno.readTextFile(new URL("./cases.json", import.meta.url)),
) as Case[];
const only = Deno.args[0];
const results: Result[] = [];
for (const c of cases) {
  if (only && !c.id.includes(only)) continue;
  results.push(await run(c));
}
console.log(JSON.stringify(results));
// What a hung case left pending must not keep the process.
Deno.exit(0);
