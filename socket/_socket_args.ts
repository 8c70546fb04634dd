// CPython's checks of `socket()`'s arguments, and the errnos Linux's socket() gives for the
// values it refuses, so `socket(...)` fails as it does in Python.
import { EAFNOSUPPORT, EINVAL, EPROTONOSUPPORT } from "../_core/errno.ts";
import { OSError, osError, ValueError } from "../_core/errors.ts";
import { asCInt, asCLong } from "../_core/args.ts";
import { hasUnstableNet, unstableNetError } from "./_options.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
} from "./_constants.ts";

/** Linux's NPROTO: families are below it. */
const NPROTO = 46;
/** Linux's IPPROTO_MAX: an inet protocol at or above it is EINVAL, below it EPROTONOSUPPORT. */
const IPPROTO_MAX = 263;

/**
 * `family`, `type` and `proto` as CPython reads them: C ints (`TypeError`, `OverflowError`),
 * -1 meaning the default (`AF_INET`, `SOCK_STREAM`, 0), then Linux's checks in its order: flag
 * bits of `type` (`EINVAL`), the family (`EAFNOSUPPORT`), an inet protocol out of range
 * (`EINVAL`). What pynet cannot create is left to the caller.
 */
export function socketArgs(
  family: unknown,
  type: unknown,
  proto: unknown,
): [number, number, number] {
  let f = asCInt(family);
  let t = asCInt(type);
  let p = asCInt(proto);
  if (f === -1) f = AF_INET;
  if (t === -1) t = SOCK_STREAM;
  if (p === -1) p = 0;
  if ((t & ~0xf) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) throw osError(EINVAL);
  if (f < 0 || f >= NPROTO) throw osError(EAFNOSUPPORT);
  if ((f === AF_INET || f === AF_INET6) && (p < 0 || p >= IPPROTO_MAX)) throw osError(EINVAL);
  if (f === AF_UNIX && p !== 0) throw osError(EPROTONOSUPPORT);
  return [f, t, p];
}

/**
 * `socketArgs`, then what pynet can create: an inet or Unix family (`EAFNOSUPPORT`), a stream
 * or datagram type (`EINVAL`) with its own protocol (`EPROTONOSUPPORT`), a datagram socket only
 * with `--unstable-net`, and a descriptor that is a C long and not negative. Returns the family,
 * the type without its creation flags, the protocol, and whether `SOCK_NONBLOCK` was given.
 */
export function creatableArgs(
  family: unknown,
  type: unknown,
  proto: unknown,
  fileno: unknown,
): [family: number, kind: number, proto: number, nonblocking: boolean] {
  const [f, t, p] = socketArgs(family, type, proto);
  if (f !== AF_INET && f !== AF_INET6 && f !== AF_UNIX) throw new OSError(EAFNOSUPPORT);
  const kind = t & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (kind !== SOCK_STREAM && kind !== SOCK_DGRAM) throw new OSError(EINVAL);
  if (p !== 0 && f !== AF_UNIX && p !== (kind === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP)) {
    throw new OSError(EPROTONOSUPPORT);
  }
  if (kind === SOCK_DGRAM && !hasUnstableNet()) {
    throw unstableNetError("A datagram socket (SOCK_DGRAM)");
  }
  if (fileno !== null) {
    asCLong(fileno);
    if ((fileno as number) < 0) throw new ValueError("negative file descriptor");
  }
  return [f, kind, p, (t & SOCK_NONBLOCK) !== 0];
}
