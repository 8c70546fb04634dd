// Queue and list operations on arrays that keep the array's backing store. V8 drops an array's
// backing store when `shift()` takes its last element or `length` is set to 0, and the next
// `push` allocates one again: on a path run per request or per wake-up (an inbox, an output
// queue, a ready list that empties and refills) that is an allocation and garbage every time
// (ARCHITECTURE.md, "Rules every change keeps").

/** Removes and returns the first element, as `shift()`, keeping the backing store. */
export function dropFirst<T>(list: T[]): T | undefined {
  return list.length === 1 ? list.pop() : list.shift();
}

/** Shortens `list` to `length`, as setting `length`, keeping the backing store. */
export function truncate(list: unknown[], length: number): void {
  while (list.length > length) list.pop();
}
