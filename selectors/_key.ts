// Selector keys and the file-object-to-descriptor rules of CPython's selectors module.
import { ValueError } from "../socket/_errors.ts";
import type { FileLike } from "../select/mod.ts";

/** The file object is ready for reading (Python's `selectors.EVENT_READ`). */
export const EVENT_READ = 1;
/** The file object is ready for writing (Python's `selectors.EVENT_WRITE`). */
export const EVENT_WRITE = 2;

/**
 * What a selector keeps for a registered file object (Python's `selectors.SelectorKey`
 * named tuple): the object, its descriptor, the events watched, and the caller's data.
 */
export interface SelectorKey<T = unknown> {
  /** The registered object: a socket, descriptor, or anything with `fileno()`. */
  readonly fileobj: FileLike;
  /** Its descriptor when it was registered. */
  readonly fd: number;
  /** `EVENT_READ`, `EVENT_WRITE`, or both. */
  readonly events: number;
  /** The data given to `register` or `modify`. */
  readonly data: T | null;
}

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
