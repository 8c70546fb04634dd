// Selector keys and the file-object-to-descriptor rules of CPython's selectors module.
import { ValueError } from "../_core/errors.ts";
import type { FileLike } from "../select/mod.ts";

/** The file object is ready for reading (Python's `selectors.EVENT_READ`). */
export const EVENT_READ = 1;
/** The file object is ready for writing (Python's `selectors.EVENT_WRITE`). */
export const EVENT_WRITE = 2;

/**
 * What a selector keeps for a registered file object (Python's `selectors.SelectorKey`
 * named tuple): the object, its descriptor, the events watched, and the caller's data.
 * `T` is the selector's data type and `F` its file object type, so that a loop reads
 * `key.data` and `key.fileobj` as what it registered, with no cast.
 */
export interface SelectorKey<T = unknown, F extends FileLike = FileLike> {
  /** The registered object: a socket, descriptor, or anything with `fileno()`. */
  readonly fileobj: F;
  /** Its descriptor when it was registered. */
  readonly fd: number;
  /** `EVENT_READ`, `EVENT_WRITE`, or both. */
  readonly events: number;
  /** The data given to `register` or `modify` (`null` when none was given). */
  readonly data: T;
}

/**
 * The `data` argument of `register` and `modify`: optional (Python's default `None`) when the
 * selector's data type admits `null`, required otherwise, so that `key.data` never lies.
 */
export type DataArg<T> = null extends T ? [data?: T] : [data: T];

/** Python's `repr()` of a file object, for messages. */
export function reprOf(fileobj: unknown): string {
  return typeof fileobj === "number" ? String(fileobj) : String(fileobj);
}

/** The descriptor of `fileobj`, as `selectors._fileobj_to_fd` finds it. */
export function fileobjToFd(fileobj: unknown): number {
  let fd: unknown;
  if (typeof fileobj === "number" && Number.isInteger(fileobj)) {
    fd = fileobj;
  } else {
    try {
      fd = (fileobj as { fileno(): unknown }).fileno();
    } catch {
      fd = undefined;
    }
    if (typeof fd !== "number" || !Number.isInteger(fd)) {
      throw new ValueError(`Invalid file object: ${reprOf(fileobj)}`);
    }
  }
  if ((fd as number) < 0) throw new ValueError(`Invalid file descriptor: ${fd}`);
  return fd as number;
}
