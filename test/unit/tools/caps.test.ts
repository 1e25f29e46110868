import { describe, expect, it } from 'vitest';
import { envelope, type Envelope } from '../../../src/http/envelope.js';
import { capEnvelope } from '../../../src/tools/caps.js';

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('capEnvelope', () => {
  it('leaves a result under both caps untouched', () => {
    const input = envelope({ results: [{ name: 'a' }, { name: 'b' }], count: 2 }, { remaining: 5, observed_at: 'now' });
    const out = capEnvelope(input, { maxBytes: 10_000, maxItems: 10 });
    expect(out).toBe(input);
    expect(out).not.toHaveProperty('truncated');
  });

  it('cuts a top-level list to the item cap and says so', () => {
    const out = capEnvelope(envelope(Array.from({ length: 20 }, (_, i) => i)), { maxBytes: 100_000, maxItems: 5 });
    expect(out.data).toEqual([0, 1, 2, 3, 4]);
    expect(out.truncated).toBe(true);
  });

  it('cuts nested lists too, and keeps the rest of the envelope', () => {
    const input: Envelope = {
      ...envelope({ count: 30, results: [{ name: 'repo', tags: Array.from({ length: 30 }, (_, i) => `t${i}`) }] }, null, 200),
      next: 'cursor-2',
    };
    const out = capEnvelope(input, { maxBytes: 100_000, maxItems: 10 });
    const data = out.data as { count: number; results: { name: string; tags: string[] }[] };
    expect(data.results[0]!.tags).toHaveLength(10);
    expect(data.results[0]!.tags[0]).toBe('t0');
    expect(data.count).toBe(30);
    expect(out).toMatchObject({ status_code: 200, next: 'cursor-2', truncated: true });
  });

  it('does not modify its input', () => {
    const input = envelope({ results: Array.from({ length: 20 }, (_, i) => ({ i })) });
    const copy = structuredClone(input);
    capEnvelope(input, { maxBytes: 200, maxItems: 5 });
    expect(input).toEqual(copy);
  });

  it('cuts a list of objects to fit the byte cap', () => {
    const results = Array.from({ length: 500 }, (_, i) => ({ name: `repository-${i}`, description: 'd'.repeat(80) }));
    const out = capEnvelope(envelope({ results }), { maxBytes: 5_000, maxItems: 1_000 });
    const kept = (out.data as { results: unknown[] }).results;
    expect(out.truncated).toBe(true);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(500);
    expect(kept[0]).toEqual(results[0]);
    expect(bytes(out)).toBeLessThanOrEqual(5_000);
  });

  it('shortens a long string to fit the byte cap and marks where it was cut', () => {
    const readme = '# Title\n' + 'lorem ipsum '.repeat(10_000);
    const out = capEnvelope(envelope({ name: 'app', full_description: readme }), { maxBytes: 4_000, maxItems: 500 });
    const data = out.data;
    expect(out.truncated).toBe(true);
    expect(data.name).toBe('app');
    expect(data.full_description.startsWith('# Title\nlorem ipsum')).toBe(true);
    expect(data.full_description).toMatch(/characters cut\]$/);
    expect(bytes(out)).toBeLessThanOrEqual(4_000);
  });

  it('counts bytes, not characters, for multi-byte text', () => {
    const out = capEnvelope(envelope({ text: '€'.repeat(5_000) }), { maxBytes: 3_000, maxItems: 500 });
    expect(out.truncated).toBe(true);
    expect(bytes(out)).toBeLessThanOrEqual(3_000);
  });

  it('replaces data it cannot cut down with a note', () => {
    const wide = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`key${i}`, i]));
    const out = capEnvelope(envelope(wide), { maxBytes: 2_000, maxItems: 500 });
    expect(out.truncated).toBe(true);
    expect(out.data).toEqual({ omitted: expect.stringContaining('2000-byte cap') });
    expect(bytes(out)).toBeLessThanOrEqual(2_000);
  });
});
