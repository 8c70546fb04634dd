// Keeps the C allocator from handing a streaming socket's read memory back to the kernel
// between V8's collections (see ARCHITECTURE.md, "Fresh memory for every recv").
//
// Every recv returns bytes the caller owns, so a busy stream's reads land in fresh slabs
// (socket/_read_buffers.ts). V8 frees dead slabs in batches, at its scavenges. glibc's malloc,
// under its default thresholds, returns such a batch to the kernel when it frees it (the heap's
// top grows past its 128 KiB trim threshold) and then page-faults the memory back in for the
// next slabs: 30,000-80,000 minor faults per GB streamed, and a stream at half the speed of the
// same run without them (BENCHMARKS.md, "socket"). glibc adapts those thresholds by itself: when
// it frees a block it had mapped on its own, larger than its mmap threshold and at most 32 MiB,
// the mmap threshold becomes that block's size and the trim threshold twice that. One freed
// block of 31 MiB, the size a long-running program's own large buffers reach, therefore lets the
// heap keep up to about 62 MiB of freed memory for reuse, which is what a streaming server wants.
//
// The block is allocated once per process, when a stream first reads in slabs (an idle or
// request/response server never pays it), and dropped at once: V8 frees it at its next
// scavenge. Its pages are never touched, so it costs neither memory nor time. On other
// allocators (musl, macOS, Windows) it is skipped.

/** The freed block's size: above any slab, within glibc's 32 MiB limit for the adaptation. */
const BLOCK = 31 * 1024 * 1024;
let done = Deno.build.os !== "linux" || Deno.build.env !== "gnu";

/** Raises glibc's mmap and trim thresholds once per process (see above); later calls do nothing. */
export function keepFreedSlabs(): void {
  if (done) return;
  done = true;
  // Dropped at once: only its free matters.
  new ArrayBuffer(BLOCK);
}
