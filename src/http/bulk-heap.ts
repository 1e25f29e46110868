// Bulk transfers and V8's heap limit. Every 64 KiB socket read is a new ArrayBuffer, counted as
// external memory until a GC frees it; a copy keeps tens of MiB of them waiting for the next
// scavenge. V8 sets the old generation's limit a little above the live heap (~15 MiB here), so
// that churn alone kept crossing it: a 1 GiB copy ran ~38 mark-compacts (plus concurrent marking)
// and cost 2.6-3.3 CPU-s per GiB in such a process, against 1.8-2.1 with one mark-compact.
// Which processes fell into it depended on history (an idle gap, a small copy first).
//
// While at least one bulk transfer runs, the heap growing factor is raised (the limit set at each
// mark-compact becomes 4× the live heap instead of V8's own choice), so buffers die in scavenges
// as they should; when the last transfer ends the default comes back at the next mark-compact.
// The cost: between mark-compacts during a transfer the JS heap may grow to 4× its live size.
import { setFlagsFromString } from 'node:v8';

/** heap growing factor = 1 + percent / 100 while a transfer runs; 0 = V8's own heuristics. */
const BULK_HEAP_GROWING_PERCENT = 300;

let active = 0;

/** Marks a bulk transfer as running; call the returned function once when it ends (extra calls do nothing). */
export function enterBulkTransfer(): () => void {
  if (active++ === 0) setFlagsFromString(`--heap-growing-percent=${BULK_HEAP_GROWING_PERCENT}`);
  let left = false;
  return () => {
    if (left) return;
    left = true;
    if (--active === 0) setFlagsFromString('--heap-growing-percent=0');
  };
}

/** Bulk transfers running now (for tests and diagnostics). */
export function bulkTransfersRunning(): number {
  return active;
}
