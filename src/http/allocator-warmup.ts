// Bulk transfers and glibc's heap: every socket read allocates a fresh 64 KiB buffer, and V8
// frees them in batches at each GC (tens of MiB at once, "external memory pressure"). With
// glibc's default trim threshold (128 KiB) each batch's pages go back to the kernel and the next
// batch faults them in again: on this machine a 1 GiB copy took 100,000-200,000 minor page faults
// and up to a second of system time, more than its SHA-256 verification.
//
// glibc raises its thresholds by itself when a block it had to mmap is freed (mmap threshold =
// that block's size, trim threshold = twice it, for blocks up to 32 MiB). One such block, freed by
// the next GC, makes the rest of the process keep up to 2 × BLOCK of freed heap for reuse instead
// of returning and re-faulting it. The block is never written, so it costs no resident memory.
// Other allocators (musl, jemalloc) ignore it harmlessly. MALLOC_TRIM_THRESHOLD_ in the
// environment does the same from the start.

/** Below glibc's 32 MiB ceiling for the dynamic threshold, chunk header included. */
const BLOCK = 16 * 1024 * 1024;

let done = false;

/** Once per process, before the first bulk transfer; later calls do nothing. */
export function warmAllocatorForBulk(): void {
  if (done) return;
  done = true;
  // Allocated outside V8's heap (malloc → mmap at this size), unreferenced at once: the next GC
  // frees it, and glibc adjusts its thresholds at that free.
  Buffer.allocUnsafeSlow(BLOCK);
}

/** For tests: whether the warm-up ran. */
export function allocatorWarmed(): boolean {
  return done;
}
