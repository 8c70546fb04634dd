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
 * then `sendall` / `recv` / `close`, with TCP_NODELAY set as every other client here has it.
 *
 * @module
 */
import { type ClientImpl, main } from "./ssl_client_deno.ts";
import { PROTOCOL_TLS_CLIENT, SSLContext } from "../ssl/mod.ts";
import { IPPROTO_TCP, socket, TCP_NODELAY } from "../socket/mod.ts";

const CA = "tests/certs/ca.pem";

// deno-lint-ignore require-await
async function pynet(): Promise<ClientImpl> {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations(CA);
  return {
    name: "pynet SSLSocket",
    connect: async (port) => {
      const plain = socket();
      plain.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
      const s = await ctx.wrapSocket(plain, { serverHostname: "localhost" });
      await s.connect(["127.0.0.1", port]);
      return {
        writeAll: (data) => s.sendall(data),
        readSome: async (buf) => {
          const got = await s.recv(buf.length);
          buf.set(got);
          return got.length;
        },
        close: () => s.close(),
      };
    },
  };
}

if (import.meta.main) await main({ pynet });
