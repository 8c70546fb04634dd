// Python's exception hierarchy for network code, and the translation of Deno's errors into it.
import {
  EACCES,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAGAIN,
  EALREADY,
  EBADF,
  ECONNABORTED,
  ECONNREFUSED,
  ECONNRESET,
  EEXIST,
  EINPROGRESS,
  EINTR,
  EISDIR,
  ENOENT,
  ENOTCONN,
  ENOTDIR,
  EPERM,
  EPIPE,
  errnoByName,
  errorMessages,
  ESHUTDOWN,
  ETIMEDOUT,
} from "./errno.ts";

// glibc's getaddrinfo() codes, as socket/_constants.ts exports them (the core imports no module).
const EAI_AGAIN = -3;
const EAI_NONAME = -2;

/**
 * Python's `OSError`: a failure reported by the operating system (or by Deno on its behalf),
 * with `errno` and `strerror`. `socket.error` is the same class.
 *
 * Use {@linkcode osError} to build the subclass CPython would pick for an errno
 * (`ConnectionRefusedError` for `ECONNREFUSED`, ...).
 *
 * @example Catching a refused connection
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { createConnection, OSError } from "@pynet/net/socket";
 *
 * const e = await assertRejects(() => createConnection(["127.0.0.1", 1]), OSError);
 * assertEquals(e.strerror, "Connection refused");
 * ```
 */
export class OSError extends Error {
  /** The numeric error code (`errno.ECONNREFUSED`, ...), or `null` when there is none. */
  readonly errno: number | null;
  /** The error text, as C's `strerror()` gives it, or `null`. */
  readonly strerror: string | null;

  /**
   * Creates the error, as Python's `OSError(errno, strerror)` does (without picking a subclass:
   * use {@linkcode osError} for that).
   *
   * @param errno The error number, or `null`.
   * @param strerror The error text; defaults to the text for `errno`.
   * @param options The standard `cause` option: the underlying Deno error, if any.
   */
  constructor(errno: number | null, strerror?: string | null, options?: ErrorOptions) {
    const text = strerror ?? (errno === null ? null : errorMessages.get(errno) ?? null);
    super(errno === null ? (text ?? "") : `[Errno ${errno}] ${text ?? "Unknown error"}`, options);
    this.errno = errno;
    this.strerror = text;
    this.name = new.target.name;
  }
}

/**
 * Python's `BlockingIOError`: a non-blocking operation could not complete at once (`EAGAIN`,
 * `EINPROGRESS`, `EALREADY`).
 *
 * @example Accepting while nobody connects
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { BlockingIOError, socket } from "@pynet/net/socket";
 *
 * using listener = socket();
 * listener.bind(["127.0.0.1", 0]);
 * listener.listen();
 * listener.setblocking(false);
 * await assertRejects(() => listener.accept(), BlockingIOError);
 * ```
 */
export class BlockingIOError extends OSError {}

/**
 * Python's `ConnectionError`, the base of the connection failures below.
 *
 * @example A reset is a connection error
 * ```ts
 * import { assertInstanceOf } from "@std/assert";
 * import { ConnectionError, ConnectionResetError } from "@pynet/net/socket";
 *
 * const ECONNRESET = 104; // Python's errno.ECONNRESET on Linux
 * assertInstanceOf(new ConnectionResetError(ECONNRESET), ConnectionError);
 * ```
 */
export class ConnectionError extends OSError {}

/**
 * Python's `BrokenPipeError`: writing to a connection the peer has closed (`EPIPE`).
 *
 * @example Python's message
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { BrokenPipeError } from "@pynet/net/socket";
 *
 * const EPIPE = 32; // Python's errno.EPIPE on Linux
 * assertEquals(String(new BrokenPipeError(EPIPE)), "BrokenPipeError: [Errno 32] Broken pipe");
 * ```
 */
export class BrokenPipeError extends ConnectionError {}

/**
 * Python's `ConnectionAbortedError` (`ECONNABORTED`).
 *
 * @example The system's text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ConnectionAbortedError } from "@pynet/net/socket";
 *
 * const ECONNABORTED = 103; // Python's errno.ECONNABORTED on Linux
 * assertEquals(new ConnectionAbortedError(ECONNABORTED).strerror, "Software caused connection abort");
 * ```
 */
export class ConnectionAbortedError extends ConnectionError {}

/**
 * Python's `ConnectionRefusedError`: nothing listens at the address (`ECONNREFUSED`).
 *
 * @example Connecting where nothing listens
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { ConnectionRefusedError, createConnection } from "@pynet/net/socket";
 *
 * await assertRejects(() => createConnection(["127.0.0.1", 1]), ConnectionRefusedError);
 * ```
 */
export class ConnectionRefusedError extends ConnectionError {}

/**
 * Python's `ConnectionResetError`: the peer reset the connection (`ECONNRESET`).
 *
 * @example Python's message
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ConnectionResetError } from "@pynet/net/socket";
 *
 * const ECONNRESET = 104; // Python's errno.ECONNRESET on Linux
 * assertEquals(new ConnectionResetError(ECONNRESET).message, "[Errno 104] Connection reset by peer");
 * ```
 */
export class ConnectionResetError extends ConnectionError {}

/**
 * Python's `FileExistsError` (`EEXIST`).
 *
 * @example The system's text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { FileExistsError } from "@pynet/net/socket";
 *
 * const EEXIST = 17; // Python's errno.EEXIST on Linux
 * assertEquals(new FileExistsError(EEXIST).strerror, "File exists");
 * ```
 */
export class FileExistsError extends OSError {}

/**
 * Python's `FileNotFoundError` (`ENOENT`): for example a Unix socket path that does not exist.
 *
 * @example The system's text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { FileNotFoundError } from "@pynet/net/socket";
 *
 * const ENOENT = 2; // Python's errno.ENOENT on Linux
 * assertEquals(new FileNotFoundError(ENOENT).strerror, "No such file or directory");
 * ```
 */
export class FileNotFoundError extends OSError {}

/**
 * Python's `InterruptedError` (`EINTR`).
 *
 * @example The system's text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { InterruptedError } from "@pynet/net/socket";
 *
 * const EINTR = 4; // Python's errno.EINTR on Linux
 * assertEquals(new InterruptedError(EINTR).strerror, "Interrupted system call");
 * ```
 */
export class InterruptedError extends OSError {}

/**
 * Python's `IsADirectoryError` (`EISDIR`).
 *
 * @example The system's text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { IsADirectoryError } from "@pynet/net/socket";
 *
 * const EISDIR = 21; // Python's errno.EISDIR on Linux
 * assertEquals(new IsADirectoryError(EISDIR).strerror, "Is a directory");
 * ```
 */
export class IsADirectoryError extends OSError {}

/**
 * Python's `NotADirectoryError` (`ENOTDIR`).
 *
 * @example The system's text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { NotADirectoryError } from "@pynet/net/socket";
 *
 * const ENOTDIR = 20; // Python's errno.ENOTDIR on Linux
 * assertEquals(new NotADirectoryError(ENOTDIR).strerror, "Not a directory");
 * ```
 */
export class NotADirectoryError extends OSError {}

/**
 * Python's `PermissionError` (`EACCES`, `EPERM`). pynet also raises it when a Deno permission
 * is missing; the message then names the flag to add, such as `--allow-net=127.0.0.1:8080`.
 *
 * @example The system's text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PermissionError } from "@pynet/net/socket";
 *
 * const EACCES = 13; // Python's errno.EACCES on Linux
 * assertEquals(new PermissionError(EACCES).strerror, "Permission denied");
 * ```
 */
export class PermissionError extends OSError {}

/**
 * Python's `TimeoutError`, which `socket.timeout` names too: a socket timeout expired
 * (message `"timed out"`, `errno` `null`), or the system reported `ETIMEDOUT`.
 *
 * @example A timeout on accept()
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { socket, TimeoutError } from "@pynet/net/socket";
 *
 * using listener = socket();
 * listener.bind(["127.0.0.1", 0]);
 * listener.listen();
 * listener.settimeout(0.01);
 * const e = await assertRejects(() => listener.accept(), TimeoutError);
 * assertEquals(e.message, "timed out");
 * assertEquals(e.errno, null);
 * ```
 */
export class TimeoutError extends OSError {}

/**
 * Python's `socket.gaierror`: `getaddrinfo()` and friends failed (`errno` is an `EAI_*` code).
 *
 * @example A name where a numeric host is required
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { AI_NUMERICHOST, EAI_NONAME, gaierror, getaddrinfo } from "@pynet/net/socket";
 *
 * const e = await assertRejects(
 *   () => getaddrinfo("example.invalid", 80, 0, 0, 0, AI_NUMERICHOST),
 *   gaierror,
 * );
 * assertEquals(e.errno, EAI_NONAME);
 * ```
 */
export class gaierror extends OSError {}

/**
 * Python's `socket.herror`: an address-related error of `gethostbyaddr()` and friends.
 *
 * @example An OSError like the others
 * ```ts
 * import { assertInstanceOf } from "@std/assert";
 * import { herror, OSError } from "@pynet/net/socket";
 *
 * const HOST_NOT_FOUND = 1; // C's h_errno for an unknown host
 * assertInstanceOf(new herror(HOST_NOT_FOUND, "Unknown host"), OSError);
 * ```
 */
export class herror extends OSError {}

/**
 * Python's `ValueError`: an argument has the right type but a wrong value (a negative
 * buffer size or timeout, an unknown mode, ...).
 *
 * @example A negative timeout
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { socket, ValueError } from "@pynet/net/socket";
 *
 * using s = socket();
 * assertThrows(() => s.settimeout(-1), ValueError);
 * ```
 */
export class ValueError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong.
   * @param options The standard `cause` option.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Python's `OverflowError`: a number out of its range, such as a port above 65535.
 *
 * @example A port above 65535
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { htons, OverflowError } from "@pynet/net/socket";
 *
 * assertThrows(() => htons(70000), OverflowError);
 * ```
 */
export class OverflowError extends Error {
  /**
   * Creates the error.
   *
   * @param message What overflowed.
   * @param options The standard `cause` option.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Python's `KeyError`: a key that is not there (an unregistered file object, ...).
 *
 * @example The missing key is the message
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { KeyError } from "@pynet/net/socket";
 *
 * assertEquals(new KeyError("5").message, "5");
 * ```
 */
export class KeyError extends Error {
  /**
   * Creates the error.
   *
   * @param message The missing key.
   * @param options The standard `cause` option.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Python's `NotImplementedError`: an operation this kind of socket does not offer, or one Deno
 * gives no way to do (the message says which).
 *
 * @example Its name is Python's
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { NotImplementedError } from "@pynet/net/socket";
 *
 * assertEquals(new NotImplementedError("sendmsg").name, "NotImplementedError");
 * ```
 */
export class NotImplementedError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is missing.
   * @param options The standard `cause` option.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Python's `RuntimeError`: an object used in a state that does not allow it (a selector after
 * `close()`, ...).
 *
 * @example Its name is Python's
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { RuntimeError } from "@pynet/net/socket";
 *
 * assertEquals(new RuntimeError("Selector is closed").name, "RuntimeError");
 * ```
 */
export class RuntimeError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong.
   * @param options The standard `cause` option.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

const classByErrno = new Map<number, typeof OSError>([
  [EAGAIN, BlockingIOError],
  [EALREADY, BlockingIOError],
  [EINPROGRESS, BlockingIOError],
  [EPIPE, BrokenPipeError],
  [ESHUTDOWN, BrokenPipeError],
  [ECONNABORTED, ConnectionAbortedError],
  [ECONNREFUSED, ConnectionRefusedError],
  [ECONNRESET, ConnectionResetError],
  [EEXIST, FileExistsError],
  [ENOENT, FileNotFoundError],
  [EINTR, InterruptedError],
  [EISDIR, IsADirectoryError],
  [ENOTDIR, NotADirectoryError],
  [EACCES, PermissionError],
  [EPERM, PermissionError],
  [ETIMEDOUT, TimeoutError],
]);

/**
 * Builds the `OSError` subclass CPython raises for `errno`, as `OSError(errno, strerror)`
 * does in Python.
 *
 * @param errno The error number.
 * @param strerror The text; defaults to the system's text for `errno`.
 * @param cause The underlying error, if any.
 * @returns A `ConnectionRefusedError` for `ECONNREFUSED`, a plain `OSError` for an errno with
 * no subclass, and so on.
 *
 * @example The subclass CPython picks
 * ```ts
 * import { assertInstanceOf } from "@std/assert";
 * import { ConnectionRefusedError, osError } from "@pynet/net/socket";
 *
 * const ECONNREFUSED = 111; // Python's errno.ECONNREFUSED on Linux
 * assertInstanceOf(osError(ECONNREFUSED), ConnectionRefusedError);
 * ```
 */
export function osError(errno: number, strerror?: string | null, cause?: unknown): OSError {
  const Class = classByErrno.get(errno) ?? OSError;
  return new Class(errno, strerror, cause === undefined ? undefined : { cause });
}

/** The `TimeoutError("timed out")` a socket timeout raises. */
export function timedOut(): TimeoutError {
  return new TimeoutError(null, "timed out");
}

/** The flag that grants what a Deno `NotCapable` message asks for. */
function flagFor(message: string): string | null {
  const m = /Requires (\w+) access to "([^"]*)"/.exec(message);
  if (!m) return null;
  const [, kind, target] = m;
  // A listen on port 0 asks for "host:0"; the host alone is what grants it.
  const grant = kind === "net" ? target!.replace(/:0$/, "") : target;
  return `--allow-${kind}=${grant}`;
}

/**
 * Translates an error thrown by a Deno API into Python's class for the same cause, keeping the
 * original as `cause`. Errors that are already Python ones pass through unchanged.
 */
export function fromDenoError(e: unknown): Error {
  if (e instanceof OSError || e instanceof ValueError || e instanceof OverflowError) return e;
  if (!(e instanceof Error)) return new OSError(null, String(e), { cause: e });
  if (e.name === "NotCapable" || e instanceof Deno.errors.NotCapable) {
    const flag = flagFor(e.message);
    const text = flag
      ? `${e.message.replace(/, run again with.*$/, "")}: run again with ${flag}`
      : e.message;
    return new PermissionError(EACCES, text, { cause: e });
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && errnoByName.has(code)) {
    return osError(errnoByName.get(code)!, undefined, e);
  }
  const byClass = errnoForDenoClass(e);
  if (byClass !== null) return osError(byClass, undefined, e);
  const osCode = /\(os error (\d+)\)/.exec(e.message);
  if (osCode) return osError(Number(osCode[1]), undefined, e);
  if (/failed to lookup address information/.test(e.message)) {
    return /Temporary failure/.test(e.message)
      ? new gaierror(EAI_AGAIN, "Temporary failure in name resolution", { cause: e })
      : new gaierror(EAI_NONAME, "Name or service not known", { cause: e });
  }
  if (e instanceof URIError) {
    return new gaierror(EAI_NONAME, "Name or service not known", { cause: e });
  }
  return new OSError(null, e.message, { cause: e });
}

function errnoForDenoClass(e: Error): number | null {
  const E = Deno.errors;
  if (e instanceof E.ConnectionRefused) return ECONNREFUSED;
  if (e instanceof E.ConnectionReset) return ECONNRESET;
  if (e instanceof E.ConnectionAborted) return ECONNABORTED;
  if (e instanceof E.BrokenPipe) return EPIPE;
  if (e instanceof E.AddrInUse) return EADDRINUSE;
  if (e instanceof E.AddrNotAvailable) return EADDRNOTAVAIL;
  if (e instanceof E.NotConnected) return ENOTCONN;
  if (e instanceof E.NotFound) return ENOENT;
  if (e instanceof E.PermissionDenied) return EACCES;
  if (e instanceof E.TimedOut) return ETIMEDOUT;
  if (e instanceof E.Interrupted) return EINTR;
  if (e instanceof E.BadResource) return EBADF;
  if (e instanceof E.WouldBlock) return EAGAIN;
  if (e instanceof E.AlreadyExists) return EEXIST;
  return null;
}
