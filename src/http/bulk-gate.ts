// The one per-chunk stage a bulk Node stream passes through (a blob copy: GET body → PUT body):
// the throughput floor and, when given, a content check such as a digest. One stage instead of a
// floor on the download, a hashing pass-through and a floor on the upload: every stage costs
// objects and callbacks per 64 KiB chunk, and a gated stream sent as an upload body is not gated
// again (a stalled upload stops the download, whose floor then cuts both).
//
// A check sees every chunk in order; the gate holds the latest chunk back until the next one
// arrives, and at the end asks the check before letting it go. So a stream that fails its check
// never hands on its last bytes: an upload of it cannot reach its declared length and complete,
// whatever the receiving registry verifies.
import { pipeline, Readable, Transform } from 'node:stream';
import { floorMeter, watchdog, withThroughputFloor, type ThroughputFloor } from './throughput.js';

export interface StreamCheck {
  /** Sees every chunk, in order. */
  update(chunk: Buffer): void;
  /** After the last chunk: an error here fails the stream, with its last chunk withheld. */
  finish(): Error | undefined;
}

export interface GateOptions {
  /** Least throughput; absent or 0 turns the floor off. */
  floor?: ThroughputFloor;
  /** What the stream is, for the floor's error message. */
  what: string;
  check?: StreamCheck;
  now?: () => number;
}

/** Streams that already passed a gate: sending one as an upload body adds no second stage. */
const gated = new WeakSet<Readable>();

export function isGated(stream: Readable): boolean {
  return gated.has(stream);
}

/**
 * `source` through one stage that enforces the floor and runs the check. Errors and early ends
 * travel both ways between `source` and the returned stream. Without a floor or a check the
 * source itself is returned.
 */
export function bulkGate(source: Readable, options: GateOptions): Readable {
  const floor = options.floor && options.floor.bytesPerSecond > 0 ? options.floor : undefined;
  const check = options.check;
  if (!floor && !check) return source;
  const meter = floor ? floorMeter(floor, options.what, options.now ?? Date.now) : undefined;
  let held: Buffer | undefined;
  const gate = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (meter) {
        meter.add(chunk.byteLength);
        const error = meter.stalled();
        if (error) {
          callback(error);
          return;
        }
      }
      if (!check) {
        callback(null, chunk);
        return;
      }
      check.update(chunk);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback) {
      const error = check?.finish();
      if (error) {
        held = undefined;
        callback(error);
        return;
      }
      const last = held;
      held = undefined;
      callback(null, last);
    },
  });
  if (meter && floor) {
    const stop = watchdog(floor, meter.stalled, (error) => gate.destroy(error));
    gate.once('close', stop);
  }
  pipeline(source, gate, () => undefined);
  gated.add(gate);
  return gate;
}

/**
 * A request or response body held to the floor (and the check): a Node stream (or, with `node`,
 * a web stream turned into one) through bulkGate, unless it passed a gate already (a download
 * sent on as an upload); a web stream kept as one gets the web-stream floor (no check there).
 */
export function gateBody(
  stream: ReadableStream<Uint8Array> | Readable,
  options: GateOptions,
  node: boolean,
): ReadableStream<Uint8Array> | Readable {
  if (stream instanceof Readable || node) {
    const source = stream instanceof Readable ? stream : Readable.fromWeb(stream);
    if (isGated(source) && !options.check) return source;
    return bulkGate(source, options);
  }
  return options.floor ? withThroughputFloor(stream, options.floor, options.what) : stream;
}
