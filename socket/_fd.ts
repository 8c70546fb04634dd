// Pseudo descriptors: Deno exposes no file descriptors, yet Python code passes fileno() values
// to select() and friends, so each open socket gets a number unique among open objects. Like
// the OS, the lowest free number is handed out first.

const open = new Map<number, object>();
/** Freed numbers below `next`, as a binary min-heap. */
const freed: number[] = [];
let next = 3;

/** Gives `owner` a pseudo descriptor, unique while it stays open. */
export function allocateFd(owner: object): number {
  const fd = freed.length > 0 ? popMin() : next++;
  open.set(fd, owner);
  return fd;
}

/** Frees a pseudo descriptor so that it may be handed out again. */
export function releaseFd(fd: number): void {
  if (!open.delete(fd)) return;
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
  return open.get(fd);
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
