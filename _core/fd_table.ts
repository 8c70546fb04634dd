// Pseudo descriptors: Deno exposes no file descriptors, yet Python code passes fileno() values
// to select() and friends, so each open socket gets a number unique among open objects. Like
// the OS, the lowest free number is handed out first. The table holds its owners weakly: an
// object the program dropped can be collected, and then what it held is closed (see
// _socket.ts) and its number comes back, as when CPython frees a socket object.

/** An owner's entry: the registry's held value, so it must not hold the owner itself. */
interface Entry {
  fd: number;
  owner: WeakRef<object>;
  lost: (() => void) | undefined;
}

const open = new Map<number, Entry>();
/** Freed numbers below `next`, as a binary min-heap. */
const freed: number[] = [];
let next = 3;

const collected = new FinalizationRegistry<Entry>((entry) => {
  // Released (and perhaps handed out again) since: nothing is left to do.
  if (open.get(entry.fd) !== entry) return;
  releaseFd(entry.fd);
  entry.lost?.();
});

/**
 * Gives `owner` a pseudo descriptor, unique while it stays open, or until `owner` is collected
 * unreleased: then `lost` runs (it closes what the owner held, so it must not hold the owner).
 * An owner that keeps a weak reference to itself passes it as `ref`. The lowest free number
 * is handed out, as the OS does.
 *
 * @param owner The object the descriptor names (held weakly).
 * @param ref A weak reference to `owner`, when it has one already.
 * @param lost Runs when `owner` is collected without {@linkcode releaseFd}.
 * @returns The descriptor, 3 or more.
 *
 * @example A descriptor for a new selectable object
 * ```ts
 * import { allocateFd, releaseFd } from "@pynet/net/select";
 * import { assertEquals, assertNotEquals } from "@std/assert";
 *
 * const fa = allocateFd({}), fb = allocateFd({});
 * assertNotEquals(fb, fa);
 * releaseFd(fa);
 * const fc = allocateFd({});
 * assertEquals(fc, fa); // the lowest free number comes back
 * releaseFd(fb);
 * releaseFd(fc);
 * ```
 */
export function allocateFd(
  owner: object,
  ref: WeakRef<object> = new WeakRef(owner),
  lost?: () => void,
): number {
  const fd = freed.length > 0 ? popMin() : next++;
  const entry = { fd, owner: ref, lost };
  open.set(fd, entry);
  collected.register(owner, entry, entry);
  return fd;
}

/**
 * Frees a pseudo descriptor so that it may be handed out again; a no-op for one not in use.
 *
 * @param fd A descriptor from {@linkcode allocateFd}.
 */
export function releaseFd(fd: number): void {
  const entry = open.get(fd);
  if (entry === undefined) return;
  open.delete(fd);
  collected.unregister(entry);
  freed.push(fd);
  let i = freed.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (freed[parent]! <= freed[i]!) break;
    [freed[parent], freed[i]] = [freed[i]!, freed[parent]!];
    i = parent;
  }
}

/** The open object behind a pseudo descriptor, if any. */
export function objectForFd(fd: number): object | undefined {
  return open.get(fd)?.owner.deref();
}

function popMin(): number {
  const min = freed[0]!;
  const last = freed.pop()!;
  if (freed.length > 0) {
    freed[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < freed.length && freed[l]! < freed[m]!) m = l;
      if (r < freed.length && freed[r]! < freed[m]!) m = r;
      if (m === i) break;
      [freed[m], freed[i]] = [freed[i]!, freed[m]!];
      i = m;
    }
  }
  return min;
}
