// The throughput floor for streamed bodies (blob copies, uploads): a stream exempt from the
// call's deadline must still move. One that stays under `bytesPerSecond` for a whole window is
// cut with a typed error, whether bytes drip (1 byte per 400 ms never trips a per-gap timeout)
// or stop altogether (an upload whose receiver stops reading). Node streams get it in bulk-gate.ts.
import { ToolError } from './errors.js';

export interface ThroughputFloor {
  /** Least average rate over a window; 0 turns the floor off. */
  bytesPerSecond: number;
  windowMs: number;
}

export const DEFAULT_FLOOR: ThroughputFloor = { bytesPerSecond: 64 * 1024, windowMs: 30_000 };

function describeRate(bytesPerSecond: number): string {
  return bytesPerSecond >= 1024 ? `${Math.round(bytesPerSecond / 1024)} KiB/s` : `${bytesPerSecond} B/s`;
}

/** The floor's bookkeeping over one stream: bytes counted per window, and the verdict. */
export function floorMeter(
  floor: ThroughputFloor,
  what: string,
  now: () => number,
): { add: (bytes: number) => void; stalled: () => ToolError | undefined } {
  let windowStart = now();
  let windowBytes = 0;
  return {
    add: (bytes) => {
      windowBytes += bytes;
    },
    stalled: () => {
      const elapsed = now() - windowStart;
      if (elapsed < floor.windowMs) return undefined;
      const rate = (windowBytes * 1000) / elapsed;
      if (rate >= floor.bytesPerSecond) {
        windowStart = now();
        windowBytes = 0;
        return undefined;
      }
      return new ToolError(
        'timeout',
        `${what}: the transfer moved ${Math.round(rate)} B/s for ${Math.round(elapsed / 1000)} s, under the floor of ${describeRate(floor.bytesPerSecond)}; aborted`,
        undefined,
        'The upstream (or the network) is too slow; retry later, or lower DOCKERHUB_STREAM_MIN_RATE (0 turns the floor off).',
      );
    },
  };
}

/** Checks even when no chunk comes (a stalled receiver never pulls): `onStall` gets the error once. */
export function watchdog(floor: ThroughputFloor, stalled: () => ToolError | undefined, onStall: (error: ToolError) => void): () => void {
  const timer = setInterval(
    () => {
      const error = stalled();
      if (!error) return;
      clearInterval(timer);
      onStall(error);
    },
    Math.max(50, Math.floor(floor.windowMs / 4)),
  );
  timer.unref?.();
  return () => clearInterval(timer);
}

/** `source`, passed through unchanged, erroring when it moves slower than the floor for a window. */
export function withThroughputFloor(
  source: ReadableStream<Uint8Array>,
  floor: ThroughputFloor,
  what: string,
  now: () => number = Date.now,
): ReadableStream<Uint8Array> {
  if (floor.bytesPerSecond <= 0) return source;
  const reader = source.getReader();
  const meter = floorMeter(floor, what, now);
  let stop = (): void => undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stop = watchdog(floor, meter.stalled, (error) => {
        controller.error(error);
        reader.cancel(error).catch(() => undefined);
      });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          stop();
          controller.close();
          return;
        }
        meter.add(value.byteLength);
        controller.enqueue(value);
        const error = meter.stalled();
        if (error) {
          stop();
          controller.error(error);
          reader.cancel(error).catch(() => undefined);
        }
      } catch (error) {
        stop();
        controller.error(error);
      }
    },
    cancel(reason) {
      stop();
      return reader.cancel(reason);
    },
  });
}
