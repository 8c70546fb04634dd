// What select() and friends accept: pynet sockets, pseudo descriptors, and anything with a
// fileno() method, resolved to the readiness source behind them.
import { objectForFd } from "./fd_table.ts";
import { isWatchable, type ReadinessSource, readinessSource } from "./readiness.ts";
import { OverflowError, ValueError } from "./errors.ts";

/** An object `select` can watch: a socket, or anything with a `fileno()` method. */
export interface HasFileno {
  /** The object's (pseudo) descriptor. */
  fileno(): number;
}

/** A descriptor number, or an object with `fileno()`. */
export type FileLike = number | HasFileno;

/** The descriptor of `obj`, with select.select()'s checks and messages. */
export function descriptorOf(obj: unknown): number {
  let fd: unknown = obj;
  if (typeof obj !== "number") {
    if (typeof (obj as Partial<HasFileno> | null)?.fileno !== "function") {
      throw new TypeError("argument must be an int, or have a fileno() method.");
    }
    fd = (obj as HasFileno).fileno();
    if (typeof fd !== "number" || !Number.isInteger(fd)) {
      throw new TypeError("fileno() returned a non-integer");
    }
  } else if (!Number.isInteger(obj)) {
    throw new TypeError("argument must be an int, or have a fileno() method.");
  } else if (obj > 2147483647 || obj < -2147483648) {
    throw new OverflowError("Python int too large to convert to C int"); // CPython's C int fd
  }
  if ((fd as number) < 0) {
    throw new ValueError(`file descriptor cannot be a negative integer (${fd})`);
  }
  return fd as number;
}

/** The readiness source of `obj`, or of the object behind descriptor `fd`; null if none. */
export function sourceOf(obj: unknown, fd: number): ReadinessSource | null {
  if (isWatchable(obj)) return obj[readinessSource]();
  const owner = objectForFd(fd);
  return isWatchable(owner) ? owner[readinessSource]() : null;
}
