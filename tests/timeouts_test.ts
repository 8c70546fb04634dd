// Long timeouts: what CPython accepts waits (timers of at most 2^31 - 1 ms are chained, with no
// TimeoutOverflowWarning), and what it refuses raises its OverflowError. CPython is run as the
// oracle for every value and every call that takes a timeout.
import { assertEquals } from "@std/assert";
import {
  AF_INET,
  createConnection,
  createServer,
  getdefaulttimeout,
  setdefaulttimeout,
  SOCK_STREAM,
  socket,
  socketpair,
} from "../socket/mod.ts";
import { epoll, EPOLLIN, poll, POLLIN, select } from "../select/mod.ts";
import {
  type BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  PollSelector,
  SelectSelector,
} from "../selectors/mod.ts";
import { bytes, sleep, startPython, text, within } from "./_helpers.ts";

/** Around each limit: 2^31 - 1 ms, CPython's int64 nanoseconds, and beyond. */
const VALUES = [
  2147483.647,
  2147483.648,
  1e7,
  9.2e9,
  9223372036,
  9223372037,
  9.3e18,
  1e300,
  Infinity,
  -Infinity,
];

const CALLS = [
  "settimeout",
  "setdefaulttimeout",
  "create_connection",
  "select",
  "poll",
  "epoll",
  "DefaultSelector",
  "SelectSelector",
  "PollSelector",
  "EpollSelector",
];

/** A value as Python source: a safe integer as an int (how pynet reads it), else a float. */
function pyLiteral(value: number): string {
  if (value === Infinity) return "float('inf')";
  if (value === -Infinity) return "-float('inf')";
  return Number.isInteger(value) && !Number.isSafeInteger(value)
    ? value.toExponential()
    : String(value);
}

/** What a call did: "ok", or the exception's class (and message for Overflow/ValueError). */
function outcome(e: unknown): string {
  const error = e as Error;
  return error.name === "OverflowError" || error.name === "ValueError"
    ? `${error.name}: ${error.message}`
    : error.name;
}

const ORACLE = `
import json, selectors, select, socket, sys
a, b = socketpair = socket.socketpair()
b.send(b"x")
def sel(cls, v):
    with cls() as s:
        s.register(a, selectors.EVENT_READ)
        s.select(v)
def pollobj(v):
    p = select.poll(); p.register(a, select.POLLIN); p.poll(v)
def epollobj(v):
    with select.epoll() as p:
        p.register(a, select.EPOLLIN); p.poll(v)
def settimeout(v):
    with socket.socket() as s:
        s.settimeout(v)
def setdefault(v):
    try:
        socket.setdefaulttimeout(v)
    finally:
        socket.setdefaulttimeout(None)
calls = {
    "settimeout": settimeout,
    "setdefaulttimeout": setdefault,
    "create_connection": lambda v: socket.create_connection(("127.0.0.1", 1), v),
    "select": lambda v: select.select([a], [], [], v),
    "poll": pollobj,
    "epoll": epollobj,
    "DefaultSelector": lambda v: sel(selectors.DefaultSelector, v),
    "SelectSelector": lambda v: sel(selectors.SelectSelector, v),
    "PollSelector": lambda v: sel(selectors.PollSelector, v),
    "EpollSelector": lambda v: sel(selectors.EpollSelector, v),
}
out = {}
for literal in sys.argv[1:]:
    v = eval(literal)
    for name in ${JSON.stringify(CALLS)}:
        try:
            calls[name](v)
            out[literal + " " + name] = "ok"
        except (OverflowError, ValueError) as e:
            out[literal + " " + name] = type(e).__name__ + ": " + str(e)
        except Exception as e:
            out[literal + " " + name] = type(e).__name__
print(json.dumps(out))
`;

Deno.test("timeouts: every call refuses and accepts the values CPython does", async () => {
  await using py = startPython(ORACLE, VALUES.map(pyLiteral));
  const expected = JSON.parse(await py.readLine(30_000));
  const [a, b] = socketpair();
  using _a = a, _b = b;
  await b.send(bytes("x"));
  const selectWith = async (Selector: new () => BaseSelector, v: number) => {
    using s = new Selector();
    s.register(a, EVENT_READ);
    await s.select(v);
  };
  const calls: Record<string, (v: number) => Promise<unknown> | void> = {
    settimeout: (v) => {
      using s = socket(AF_INET, SOCK_STREAM);
      s.settimeout(v);
    },
    setdefaulttimeout: (v) => {
      try {
        setdefaulttimeout(v);
      } finally {
        setdefaulttimeout(null);
      }
    },
    create_connection: async (v) => (await createConnection(["127.0.0.1", 1], v)).close(),
    select: (v) => select([a], [], [], v),
    poll: (v) => {
      const p = poll();
      p.register(a, POLLIN);
      return p.poll(v);
    },
    epoll: async (v) => {
      using p = epoll();
      p.register(a, EPOLLIN);
      await p.poll(v);
    },
    DefaultSelector: (v) => selectWith(DefaultSelector, v),
    SelectSelector: (v) => selectWith(SelectSelector, v),
    PollSelector: (v) => selectWith(PollSelector, v),
    EpollSelector: (v) => selectWith(EpollSelector, v),
  };
  const actual: Record<string, string> = {};
  for (const value of VALUES) {
    for (const name of CALLS) {
      let result = "ok";
      try {
        await within(Promise.resolve().then(() => calls[name]!(value)), 10_000, name);
      } catch (e) {
        result = outcome(e);
      }
      actual[`${pyLiteral(value)} ${name}`] = result;
    }
  }
  assertEquals(actual, expected);
  assertEquals(getdefaulttimeout(), null);
});

// Each wait below would have timed out after about 1 ms before the fix (a delay above
// 2^31 - 1 ms fires at once, with a TimeoutOverflowWarning on stderr). The peer answers only after a 20 ms timer, which always fires
// after a 1 ms one: the call must still be waiting then.
const LONG = [2 ** 31 / 1000 + 1, 1e7, 9.2e9];

for (const seconds of LONG) {
  Deno.test(`timeouts: settimeout(${seconds}) really waits, in recv() and accept()`, async () => {
    {
      using server = createServer(["127.0.0.1", 0]);
      server.settimeout(seconds);
      const accepting = server.accept();
      await sleep(20);
      using client = await createConnection(server.getsockname() as [string, number], seconds);
      const [conn] = await within(accepting, 10_000, "accept");
      using _conn = conn;
      conn.settimeout(seconds);
      const receiving = conn.recv(10);
      await sleep(20);
      await client.sendall(bytes("late"));
      assertEquals(text(await within(receiving, 10_000, "recv")), "late");
    }
  });
}

Deno.test("timeouts: a selector or select() given 1e7 seconds really waits", async () => {
  {
    const [a, b] = socketpair();
    using _a = a, _b = b;
    using sel = new SelectSelector();
    sel.register(b, EVENT_READ);
    const selecting = sel.select(1e7);
    const selected = select([b], [], [], 1e7);
    await sleep(20);
    await a.send(bytes("x"));
    assertEquals((await within(selecting, 10_000, "selector")).length, 1);
    assertEquals((await within(selected, 10_000, "select"))[0].length, 1);
  }
});

Deno.test("timeouts: setdefaulttimeout(1e7) is taken by new sockets, which wait", async () => {
  setdefaulttimeout(1e7);
  try {
    const [a, b] = socketpair();
    using _a = a, _b = b;
    assertEquals(b.gettimeout(), 1e7);
    const receiving = b.recv(10);
    await sleep(20);
    await a.send(bytes("x"));
    assertEquals(text(await within(receiving, 10_000, "recv")), "x");
  } finally {
    setdefaulttimeout(null);
  }
});
