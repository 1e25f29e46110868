// The stdio front door. A client's first exchange is initialize, notifications/initialized and
// tools/list; until a tool is called nothing needs the SDK, zod, the tool modules or the HTTP
// clients, whose loading was four fifths of the time from spawn to the first tools/list (issue 15).
// The front door answers those three (and ping) from build-time data (front-answers.ts) and hands
// everything else to the full server, loaded at that moment:
//
// - the full server reads a stream that starts with a replay of what the front door consumed and
//   that matters to it (initialize under an id of its own, whose answer is not written again, and
//   notifications/initialized), then the unanswered bytes, then the rest of stdin;
// - anything the front door is not sure to answer exactly as the SDK would (another method,
//   unusual params, a malformed or over-long line) is such a hand-over point, so errors and edge
//   cases keep the full server's behaviour;
// - shutdown steps go to whichever of the two is serving, so stdin closing or a signal ends the
//   process the same way in both phases.
import type { Readable, Writable } from 'node:stream';
import type { FrontAnswers } from './front-answers.js';
import type { ShutdownSteps } from './shutdown.js';
import { TrackedWrites } from './tracked-writes.js';

type Id = string | number;

/** The id the replayed initialize carries; its answer is dropped (LineTransport.swallowAnswerTo). */
export const REPLAYED_INITIALIZE_ID = 'dockerhub-mcp/replayed-initialize';

/** Longer lines are not the three small messages the front door answers: the full server takes them. */
const FRONT_MAX_LINE_BYTES = 256 * 1024;

/** Starts the full server on `input`; `replayedId` is the request whose answer must not be written. */
export type LoadFullServer = (input: Readable, replayedId: Id | undefined) => Promise<ShutdownSteps>;

export interface StdioFrontOptions {
  input: Readable;
  output: Writable;
  /** undefined: no build-time data (tsc's output run directly), so every message goes to the full server. */
  answers: FrontAnswers | undefined;
  load: LoadFullServer;
  /** The full server could not be loaded: nothing can answer any more. */
  onLoadError: (error: unknown) => void;
}

const isId = (value: unknown): value is Id => typeof value === 'string' || typeof value === 'number';

export class StdioFront {
  /** Called once stdin ended while the front door was still serving (after that the full server's transport reports it). */
  oninputend?: () => void;

  private chunks: Buffer[] = [];
  private buffered = 0;
  private initializeParams: unknown;
  private initialized = false;
  private readonly writes: TrackedWrites;
  private loading?: Promise<void>;
  private full?: ShutdownSteps;
  private stopRequested = false;

  constructor(private readonly options: StdioFrontOptions) {
    this.writes = new TrackedWrites(options.output);
  }

  start(): void {
    if (this.options.answers === undefined) {
      this.handOver([]);
      return;
    }
    this.options.input.on('data', this.onData);
    this.options.input.on('end', this.onEnd);
  }

  /** True once a message made the front door load the full server. */
  get handedOver(): boolean {
    return this.loading !== undefined;
  }

  private readonly onData = (chunk: Buffer): void => {
    let rest = chunk;
    for (let newline = rest.indexOf(0x0a); newline !== -1; newline = rest.indexOf(0x0a)) {
      const line = Buffer.concat([...this.chunks, rest.subarray(0, newline + 1)]);
      rest = rest.subarray(newline + 1);
      this.chunks = [];
      this.buffered = 0;
      if (!this.answer(line)) {
        this.handOver([line, rest]);
        return;
      }
    }
    if (rest.length === 0) return;
    this.chunks.push(rest);
    this.buffered += rest.length;
    if (this.buffered > FRONT_MAX_LINE_BYTES) {
      const pending = this.chunks;
      this.chunks = [];
      this.buffered = 0;
      this.handOver(pending);
    }
  };

  private readonly onEnd = (): void => {
    if (this.handedOver) return;
    if (this.buffered > 0) {
      // An unterminated last line: the full server's transport handles it as it handles any.
      this.handOver(this.chunks, true);
      return;
    }
    this.oninputend?.();
  };

  /** Answers one line if it is one the front door covers; false hands it (and what follows) over. */
  private answer(line: Buffer): boolean {
    const text = line.toString('utf8').trim();
    if (text === '') return true; // as LineTransport: blank lines are skipped
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
    const { jsonrpc, id, method, params } = message as Record<string, unknown>;
    if (jsonrpc !== '2.0' || typeof method !== 'string') return false;
    const answers = this.options.answers as FrontAnswers;
    if (id === undefined) {
      if (method !== 'notifications/initialized' || this.initializeParams === undefined || this.initialized) return false;
      if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return false;
      this.initialized = true;
      return true;
    }
    if (!isId(id)) return false;
    let result: string | undefined;
    if (method === 'initialize' && this.initializeParams === undefined) {
      result = answers.initialize(params);
      if (result !== undefined) this.initializeParams = params;
    } else if (method === 'tools/list' && this.initializeParams !== undefined) {
      result = answers.toolsList(params);
    } else if (method === 'ping' && params === undefined) {
      result = '{}';
    }
    if (result === undefined) return false;
    // JSON.stringify({ result, jsonrpc, id }), the SDK's key order: the same bytes whichever side answers.
    void this.writes.write(`{"result":${result},"jsonrpc":"2.0","id":${JSON.stringify(id)}}\n`);
    return true;
  }

  private handOver(pending: readonly Buffer[], inputEnded = false): void {
    const { input, load, onLoadError } = this.options;
    input.off('data', this.onData);
    input.off('end', this.onEnd);
    // Not an ES import: that facade would be built at every start (see config.ts).
    const stream = new (process.getBuiltinModule('node:stream').PassThrough)();
    if (this.initializeParams !== undefined) {
      const replay = { jsonrpc: '2.0', id: REPLAYED_INITIALIZE_ID, method: 'initialize', params: this.initializeParams };
      stream.write(`${JSON.stringify(replay)}\n`);
      if (this.initialized) stream.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    }
    for (const bytes of pending) if (bytes.length > 0) stream.write(bytes);
    if (inputEnded) stream.end();
    else input.pipe(stream);
    const replayedId = this.initializeParams !== undefined ? REPLAYED_INITIALIZE_ID : undefined;
    this.loading = load(stream, replayedId).then((steps) => {
      this.full = steps;
      if (this.stopRequested) steps.stopAccepting();
    }, onLoadError);
  }

  /** Shutdown steps that act on whichever side is serving (see shutdown.ts). */
  readonly steps: ShutdownSteps = {
    stopAccepting: () => {
      this.stopRequested = true;
      this.full?.stopAccepting();
    },
    drained: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      if (this.loading !== undefined && this.full === undefined) {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
        await Promise.race([this.loading, expired]);
        clearTimeout(timer);
      }
      if (this.full !== undefined) return this.full.drained(Math.max(0, deadline - Date.now()));
      if (this.loading !== undefined) return false;
      await this.writes.flushed();
      return true;
    },
    cancel: () => this.full?.cancel() ?? 0,
    close: async () => {
      await this.writes.flushed();
      await this.full?.close();
    },
  };
}
