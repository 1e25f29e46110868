// The front door's hand-over, with streams of our own and a stand-in for the full server: what
// the full server is fed (the replay, then the unanswered bytes, then the rest of the input), when
// it is loaded, and how shutdown steps reach whichever side serves.
import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FrontAnswers } from '../../../src/server/front-answers.js';
import type { ShutdownSteps } from '../../../src/server/shutdown.js';
import { REPLAYED_INITIALIZE_ID, StdioFront } from '../../../src/server/stdio-front.js';

const ANSWERS: FrontAnswers = {
  initialize: (params) => (typeof params === 'object' && params !== null ? '{"protocolVersion":"2025-06-18"}' : undefined),
  toolsList: (params) => (params === undefined ? '{"tools":[]}' : undefined),
};
const INIT =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n';
const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}\n';
const LIST = '{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n';
const CALL = '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x"}}\n';

interface Harness {
  input: PassThrough;
  output: PassThrough;
  front: StdioFront;
  written: () => string;
  /** What the full server was fed, once loaded; resolves with its replayed id too. */
  loaded: Promise<{ fed: () => string; replayedId: string | number | undefined; ended: Promise<void> }>;
  loads: () => number;
  steps: ShutdownSteps & { calls: string[] };
  inputEnded: () => boolean;
}

/** `answers: null` stands for a build without the front door's data. */
function harness({ answers = ANSWERS, loadDelayMs = 0 }: { answers?: FrontAnswers | null; loadDelayMs?: number } = {}): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const calls: string[] = [];
  const steps = {
    calls,
    stopAccepting: () => void calls.push('stopAccepting'),
    drained: async () => (calls.push('drained'), true),
    cancel: () => (calls.push('cancel'), 0),
    close: async () => void calls.push('close'),
  };
  let loads = 0;
  let resolveLoaded!: (value: Awaited<Harness['loaded']>) => void;
  const loaded = new Promise<Awaited<Harness['loaded']>>((resolve) => (resolveLoaded = resolve));
  let ended = false;
  const front = new StdioFront({
    input,
    output,
    answers: answers ?? undefined,
    load: async (stream: Readable, replayedId) => {
      loads++;
      let fed = '';
      stream.on('data', (chunk: Buffer) => (fed += chunk.toString()));
      const streamEnded = new Promise<void>((resolve) => stream.on('end', resolve));
      await new Promise((resolve) => setTimeout(resolve, loadDelayMs));
      resolveLoaded({ fed: () => fed, replayedId, ended: streamEnded });
      return steps;
    },
    onLoadError: (error) => {
      throw error;
    },
  });
  front.oninputend = () => (ended = true);
  front.start();
  return { input, output, front, written: () => out, loaded, loads: () => loads, steps, inputEnded: () => ended };
}

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the stdio front door', () => {
  it('answers the handshake itself, in the SDK key order, and loads nothing', async () => {
    const h = harness();
    h.input.write(INIT + INITIALIZED + LIST + '{"jsonrpc":"2.0","id":"p","method":"ping"}\n');
    await tick();
    expect(h.written().split('\n').filter(Boolean)).toEqual([
      '{"result":{"protocolVersion":"2025-06-18"},"jsonrpc":"2.0","id":1}',
      '{"result":{"tools":[]},"jsonrpc":"2.0","id":2}',
      '{"result":{},"jsonrpc":"2.0","id":"p"}',
    ]);
    expect(h.loads()).toBe(0);
    h.input.end();
    await tick();
    expect(h.inputEnded()).toBe(true);
  });

  it('assembles lines split across chunks and skips blank ones', async () => {
    const h = harness();
    for (const piece of [INIT.slice(0, 10), INIT.slice(10, 50), INIT.slice(50), '\r\n', '   \n', LIST]) h.input.write(piece);
    await tick();
    expect(h.written().split('\n').filter(Boolean)).toHaveLength(2);
    expect(h.loads()).toBe(0);
  });

  it('hands over at the first message it does not answer: replay, that message, what follows, then the rest of the input', async () => {
    const h = harness();
    h.input.write(INIT + INITIALIZED + LIST + CALL + '{"jsonrpc":"2.0","id":4,"meth');
    const { fed, replayedId, ended } = await h.loaded;
    h.input.end('od":"ping"}\n');
    await ended;
    expect(replayedId).toBe(REPLAYED_INITIALIZE_ID);
    const lines = fed().split('\n').filter(Boolean);
    expect(JSON.parse(lines[0]!)).toEqual({ ...(JSON.parse(INIT) as object), id: REPLAYED_INITIALIZE_ID });
    expect(lines.slice(1)).toEqual([INITIALIZED.trim(), CALL.trim(), '{"jsonrpc":"2.0","id":4,"method":"ping"}']);
    // Answered before the hand-over, not again after: initialize and tools/list only.
    expect(h.written().split('\n').filter(Boolean)).toHaveLength(2);
    expect(h.loads()).toBe(1);
    expect(h.inputEnded()).toBe(false); // the full server's transport reports the end now
  });

  it('replays nothing when the first message is already the full server’s', async () => {
    const h = harness();
    h.input.write('not json\n' + INIT);
    const { fed, replayedId } = await h.loaded;
    await tick();
    expect(replayedId).toBeUndefined();
    expect(fed()).toBe('not json\n' + INIT);
    expect(h.written()).toBe('');
  });

  it('hands over a tools/list before initialize, a repeated initialize, odd params and non-2.0 messages', async () => {
    for (const first of [
      LIST,
      '{"jsonrpc":"1.0","id":1,"method":"initialize","params":{}}\n',
      '{"jsonrpc":"2.0","id":1,"method":"initialize"}\n',
      '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}\n',
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}\n',
      '[1,2]\n',
    ]) {
      const h = harness();
      h.input.write(first);
      const { fed } = await h.loaded;
      await tick(1);
      expect(fed(), first).toBe(first);
    }
    const again = harness();
    again.input.write(INIT + INIT.replace('"id":1', '"id":9'));
    const { fed } = await again.loaded;
    await tick(1);
    expect(fed().split('\n').filter(Boolean).slice(1)).toEqual([INIT.replace('"id":1', '"id":9').trim()]);
  });

  it('gives an over-long line to the full server without buffering it all', async () => {
    const h = harness();
    h.input.write(INIT);
    h.input.write(`{"jsonrpc":"2.0","id":5,"method":"x","params":"${'a'.repeat(300 * 1024)}`);
    const { fed } = await h.loaded;
    await tick();
    expect(fed().length).toBeGreaterThan(300 * 1024);
    expect(h.written().split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('hands an unterminated last line over, and ends the full server’s input after it', async () => {
    const h = harness();
    h.input.end(INIT + '{"jsonrpc":"2.0","id":6,"method":"ping"}');
    const { fed, ended } = await h.loaded;
    await ended;
    expect(fed().endsWith('{"jsonrpc":"2.0","id":6,"method":"ping"}')).toBe(true);
  });

  it('without build-time answers, the full server gets everything from the start', async () => {
    const h = harness({ answers: null });
    const { replayedId } = await h.loaded;
    h.input.write(INIT);
    await tick();
    expect(replayedId).toBeUndefined();
    expect(h.written()).toBe('');
  });

  it('shutdown in the front phase: drained once its answers are written, nothing to cancel', async () => {
    const h = harness();
    h.input.write(INIT);
    await tick();
    h.front.steps.stopAccepting();
    expect(await h.front.steps.drained(1000)).toBe(true);
    expect(h.front.steps.cancel()).toBe(0);
    await h.front.steps.close();
    expect(h.steps.calls).toEqual([]);
  });

  it('shutdown while the full server loads waits for it, then passes every step on', async () => {
    const h = harness({ loadDelayMs: 50 });
    h.input.write(INIT + CALL);
    await tick(1);
    h.front.steps.stopAccepting();
    expect(await h.front.steps.drained(5000)).toBe(true);
    h.front.steps.cancel();
    await h.front.steps.close();
    expect(h.steps.calls).toEqual(['stopAccepting', 'drained', 'cancel', 'close']);
  });

  it('a load that outlasts the grace period reports not drained', async () => {
    const h = harness({ loadDelayMs: 200 });
    h.input.write(CALL);
    await tick(1);
    expect(await h.front.steps.drained(20)).toBe(false);
  });
});
