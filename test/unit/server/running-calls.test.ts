// Running tool calls: each gets its own signal, aborted when the request's is or when a shutdown
// cancels every call; refusing new calls leaves running ones alone.
import { describe, expect, it } from 'vitest';
import { RunningCalls } from '../../../src/server/running-calls.js';

/** Work that ends only when its signal is aborted, reporting the reason. */
const untilAborted = (signal: AbortSignal): Promise<string> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(String((signal.reason as Error).message ?? signal.reason))));

describe('RunningCalls', () => {
  it('cancelAll aborts every running call without touching the request signals', async () => {
    const calls = new RunningCalls();
    const request = new AbortController();
    const first = calls.run(request.signal, untilAborted);
    const second = calls.run(new AbortController().signal, untilAborted);
    expect(calls.size).toBe(2);
    expect(calls.cancelAll('shutting down')).toBe(2);
    await expect(first).resolves.toBe('shutting down');
    await expect(second).resolves.toBe('shutting down');
    expect(request.signal.aborted).toBe(false);
    expect(calls.size).toBe(0);
  });

  it("follows the request's own cancellation, including one that came before the call started", async () => {
    const calls = new RunningCalls();
    const request = new AbortController();
    const running = calls.run(request.signal, untilAborted);
    request.abort(new Error('client cancelled'));
    await expect(running).resolves.toBe('client cancelled');
    const early = calls.run(request.signal, async (signal) => signal.aborted);
    await expect(early).resolves.toBe(true);
  });

  it('stopAccepting only flips the flag; a running call still completes', async () => {
    const calls = new RunningCalls();
    let finish!: (value: string) => void;
    const running = calls.run(new AbortController().signal, () => new Promise<string>((resolve) => (finish = resolve)));
    calls.stopAccepting();
    expect(calls.accepting).toBe(false);
    finish('done');
    await expect(running).resolves.toBe('done');
  });
});
