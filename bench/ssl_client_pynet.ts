/**
 * The pynet TLS client for bench/ssl_bench.ts's client-side rows: bench/ssl_client_deno.ts's
 * driver (same traffic, checks and JSON) on pynet's Python-style API:
 *
 * ```ts ignore
 * const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
 * ctx.loadVerifyLocations("tests/certs/ca.pem");
 * const s = await ctx.wrapSocket(socket(), { serverHostname: "localhost" });
 * await s.connect(["127.0.0.1", port]); // connect, then the handshake
 * ```
 *
 * then `sendall` / `recv` (or `recvInto` with `--impl pynet-into`) / `close`, with TCP_NODELAY
 * set as every other client here has it.
 *
 * @module
 */
import { type ClientImpl, main } from "./ssl_client_deno.ts";
import { PROTOCOL_TLS_CLIENT, SSLContext } from "../ssl/mod.ts";
import { IPPROTO_TCP, socket, TCP_NODELAY } from "../socket/mod.ts";

const CA = "tests/certs/ca.pem";

/**
 * The client on pynet. `recvInto`: the driver's `readSome(buf)` is `s.recvInto(buf)`, the
 * like of raw Deno's `conn.read(buf)`; otherwise it is `s.recv(buf.length)` (new bytes each
 * call, as Python's `recv`) copied into `buf`.
 */
// deno-lint-ignore require-await
async function pynet(recvInto: boolean): Promise<ClientImpl> {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(CA);
  return {
    name: recvInto ? "pynet SSLSocket (recvInto)" : "pynet SSLSocket",
    connect: async (port) => {
      const plain = socket();
      plain.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
      const s = await ctx.wrapSocket(plain, { serverHostname: "localhost" });
      await s.connect(["127.0.0.1", port]);
      return {
        writeAll: (data) => s.sendall(data),
        readSome: recvInto ? (buf) => s.recvInto(buf) : async (buf) => {
          const got = await s.recv(buf.length);
          buf.set(got);
          return got.length;
        },
        close: () => s.close(),
      };
    },
  };
}

if (import.meta.main) {
  await main({ pynet: () => pynet(false), "pynet-into": () => pynet(true) });
}
