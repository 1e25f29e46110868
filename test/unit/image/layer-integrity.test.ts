// Layer reads through msw: a blob whose bytes do not match its digest is an integrity_error and is
// not cached (the next call streams it again), and a body that breaks off is a network_error.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  buildImage,
  callRegistry,
  content,
  exampleRegistry,
  failed,
  ok,
  REG_HOST,
  REG_ORIGIN,
  registryApp,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';
import { layerOf } from '../../helpers/image/layers.js';

const msw = useRegistryMsw();

function image(): { built: ReturnType<typeof buildImage>; layer: Buffer } {
  const layer = layerOf([{ path: 'etc/hostname', body: 'box\n' }]).bytes;
  const built = buildImage({ platform: { os: 'linux', architecture: 'amd64' }, layers: [] });
  const blob = content(layer, 'application/vnd.oci.image.layer.v1.tar+gzip');
  built.layers.push(blob);
  const manifest = JSON.parse(built.manifest.bytes.toString()) as { layers: unknown[] };
  manifest.layers = [{ mediaType: blob.mediaType, digest: blob.digest, size: blob.bytes.length }];
  built.manifest = content(Buffer.from(JSON.stringify({ ...manifest })), built.manifest.mediaType);
  return { built, layer };
}

describe('layer blobs are verified as they stream', () => {
  it('a layer whose bytes do not match its digest is an integrity_error, and nothing is cached', async () => {
    const { built, layer } = image();
    const digest = built.layers[0]!.digest;
    const other = layerOf([{ path: 'etc/hostname', body: 'evil\n' }]).bytes;
    msw.server.use(
      http.get(new RegExp(`^${REG_ORIGIN}/v2/t/app/blobs/${digest}$`), () => HttpResponse.arrayBuffer(new Uint8Array(other).buffer)),
      ...exampleRegistry({ auth: 'none' }).putImage('t/app', built, 'v1').handlers(),
    );
    const app = registryApp();
    const args = { action: 'files', repo: `${REG_HOST}/t/app:v1` };
    const error = failed(await callRegistry(app, args));
    expect(error.type).toBe('integrity_error');
    expect(error.message).toContain(digest);
    msw.server.resetHandlers(...exampleRegistry({ auth: 'none' }).putImage('t/app', built, 'v1').handlers());
    const before = msw.seen.filter((s) => s.url.pathname.endsWith(digest)).length;
    const files = ok<{ files: Array<{ path: string }> }>(await callRegistry(app, args)).data;
    expect(files.files.map((f) => f.path)).toEqual(['/etc/hostname']);
    expect(msw.seen.filter((s) => s.url.pathname.endsWith(digest)).length).toBe(before + 1);
    expect(layer.length).toBeGreaterThan(0);
  });

  it('a body that breaks off is a network_error', async () => {
    const { built, layer } = image();
    const digest = built.layers[0]!.digest;
    msw.server.use(
      http.get(new RegExp(`^${REG_ORIGIN}/v2/t/app/blobs/${digest}$`), () => {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(layer.subarray(0, 10)));
            controller.error(new Error('connection reset'));
          },
        });
        return new HttpResponse(stream, { headers: { 'content-length': String(layer.length) } });
      }),
      ...exampleRegistry({ auth: 'none' }).putImage('t/app', built, 'v1').handlers(),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'read_file', repo: `${REG_HOST}/t/app:v1`, path: '/etc/hostname' }));
    expect(error.type).toBe('network_error');
    expect(error.message).toContain(digest);
  });
});

describe('a layer body that breaks off resumes with a Range GET', () => {
  it('continues from the byte where it stopped and still verifies the digest', async () => {
    const { built, layer } = image();
    const digest = built.layers[0]!.digest;
    const ranges: Array<string | null> = [];
    msw.server.use(
      http.get(new RegExp(`^${REG_ORIGIN}/v2/t/app/blobs/${digest}$`), ({ request }) => {
        const range = request.headers.get('range');
        ranges.push(range);
        if (range) {
          const from = Number(/^bytes=(\d+)-$/.exec(range)![1]);
          return new HttpResponse(new Uint8Array(layer.subarray(from)), {
            status: 206,
            headers: { 'content-range': `bytes ${from}-${layer.length - 1}/${layer.length}` },
          });
        }
        // 40 bytes arrive, then the connection drops.
        let pulls = 0;
        const stream = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (pulls++ === 0) return controller.enqueue(new Uint8Array(layer.subarray(0, 40)));
            // Later, so the first bytes reach the reader before the error does.
            await new Promise((resolve) => setTimeout(resolve, 50));
            controller.error(new Error('connection reset'));
          },
        });
        return new HttpResponse(stream, { headers: { 'content-length': String(layer.length) } });
      }),
      ...exampleRegistry({ auth: 'none' }).putImage('t/app', built, 'v1').handlers(),
    );
    const answer = ok<{ content: string }>(
      await callRegistry(registryApp(), { action: 'read_file', repo: `${REG_HOST}/t/app:v1`, path: '/etc/hostname' }),
    ).data;
    expect(answer.content).toBe('box\n');
    expect(ranges).toEqual([null, 'bytes=40-']);
  });
});
