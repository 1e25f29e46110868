// The full attestation document is paged: an SBOM longer than a page, or than a tool result can
// hold, is walked page by page with `next`, and every package is shown exactly once.
import { describe, expect, it } from 'vitest';
import { putAttestedIndex } from '../../helpers/image-meta/attested.js';
import { callRegistry, exampleRegistry, ok, registryApp, useRegistryMsw } from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const REPO = 'reg.example.test/team/app:1.0';
const SPDX = 'https://spdx.dev/Document';

interface Page {
  sboms: { document: { document: { packages: { name: string }[] }; lists: Record<string, number>; next_page?: number } }[];
}

function serveSbom(count: number, pad: number): void {
  const reg = exampleRegistry();
  const packages = Array.from({ length: count }, (_, i) => ({ name: `pkg-${String(i).padStart(5, '0')}`, description: 'x'.repeat(pad) }));
  putAttestedIndex(reg, 'team/app', '1.0', [
    {
      body: { _type: 'https://in-toto.io/Statement/v0.1', predicateType: SPDX, subject: [], predicate: { name: 'big', packages } },
      annotation: SPDX,
    },
  ]);
  msw.server.use(...reg.handlers());
}

/** Follows `next` from page 0; the names seen, and each result's truncated flag. */
async function walk(pageSize: number): Promise<{ names: string[]; truncated: boolean[]; pages: number }> {
  const app = registryApp();
  const names: string[] = [];
  const truncated: boolean[] = [];
  let next: { page: number } | undefined = { page: 0 };
  let pages = 0;
  while (next && pages < 50) {
    const result: { data: Page; truncated?: boolean; next?: unknown } = ok<Page>(
      await callRegistry(app, { action: 'sbom', repo: REPO, include_document: true, page_size: pageSize, page: next.page }),
    );
    truncated.push(result.truncated === true);
    names.push(...result.data.sboms[0]!.document.document.packages.map((p) => p.name));
    next = result.next as { page: number } | undefined;
    pages++;
  }
  return { names, truncated, pages };
}

describe('sbom include_document paging', () => {
  it('walks a document of 250 packages in pages of 100: every package once, the total named, no next after the last', async () => {
    serveSbom(250, 10);
    const { names, truncated, pages } = await walk(100);
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 250 }, (_, i) => `pkg-${String(i).padStart(5, '0')}`));
    expect(truncated).toEqual([false, false, false]);
  });

  it('a page larger than the result caps (1000 items of ~600 bytes) shrinks to fit: every package exactly once, no result cut', async () => {
    serveSbom(1200, 600);
    const { names, truncated, pages } = await walk(1000);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(1200);
    // The page shrank to fit the result instead of being cut by the caps (which would skip items).
    expect(truncated.every((cut) => !cut)).toBe(true);
    expect(pages).toBeGreaterThan(2);
  });
});
