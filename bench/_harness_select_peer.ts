// The pynet side of bench/select_peer.c, shared by idle_memory_bench.ts and select_bench.ts:
// accept one busy connection and many idle ones, in step with the C peer.

/**
 * The worker side of bench/select_peer.c (idle_memory_bench.ts, select_bench.ts): accepts the
 * busy connection, then the idle ones batch by batch, letting the peer go on (`go`) after each
 * batch. Returns the busy one, the idle ones, and `measure()` taken before the idle ones came.
 */
export async function acceptAll<C, M>(
  n: number,
  batch: number,
  accept: () => Promise<C>,
  go: (busy: C) => Promise<unknown>,
  measure: () => M,
): Promise<[C, C[], M]> {
  const busy = await accept();
  await go(busy);
  const base = measure();
  const idle: C[] = [];
  while (idle.length < n) {
    const k = Math.min(batch, n - idle.length);
    for (let i = 0; i < k; i++) idle.push(await accept());
    await go(busy);
  }
  return [busy, idle, base];
}
