// The socket a ForkingUDPServer's worker hands its handler as `request[1]`. Deno cannot share
// a datagram socket between isolates (Deno.listenDatagram has neither reusePort nor
// loadBalanced), so the parent receives every datagram and forwards it; the reply goes back
// the same way and leaves from the parent's socket, so the client sees the server's address.
import { type Address, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, Socket } from "../socket/mod.ts";
import { workerIdentity } from "./_fork_protocol.ts";

/** A datagram socket whose `sendto` is sent by the parent isolate's server socket. */
class ReplyForwarder extends Socket {
  override sendto(
    data: Uint8Array,
    flagsOrAddress: number | Address,
    address?: Address,
  ): Promise<number> {
    const to = address === undefined ? flagsOrAddress as Address : address;
    const bytes = data.slice();
    workerIdentity()!.post({ type: "sendto", data: bytes, address: to });
    return Promise.resolve(bytes.length);
  }
}

/** A forwarding socket of the family of `clientAddress`; close it after the request. */
export function forwardingSocket(clientAddress: Address): Socket {
  const family = typeof clientAddress === "string"
    ? AF_UNIX
    : (clientAddress as unknown[]).length === 4
    ? AF_INET6
    : AF_INET;
  return new ReplyForwarder(family, SOCK_DGRAM);
}
