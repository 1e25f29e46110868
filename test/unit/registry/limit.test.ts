// The per-registry concurrency bound, directly: never more than `max` at once, all work done.
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../../src/registry/limit.js';

describe('Limiter', () => {
  it('runs at most max at once and finishes everything, failures included', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    const work = (i: number) =>
      limiter.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        if (i === 4) throw new Error('boom');
        return i;
      });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => work(i)));
    expect(peak).toBe(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(9);
    expect(active).toBe(0);
  });
});
