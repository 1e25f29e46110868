// One call's view of one image: the manifest for the platform, its config, and its layers' indexes,
// each from the cache when any earlier call read that layer, otherwise streamed once (verified,
// counted against the scan budget, reported as progress) and then cached.
import { ToolError } from '../http/errors.js';
import type { Manifest, RegistryClient } from '../registry/client.js';
import { readConfig } from '../registry/image-config.js';
import { imageManifest } from '../registry/inspect.js';
import type { Descriptor, Platform } from '../registry/platform.js';
import { manifestReference, type ImageRef } from '../registry/reference.js';
import { isLayerMediaType } from './decompress.js';
import { indexCacheFor, type LayerIndexCache } from './index-cache.js';
import { scanLayer, type Capture, type LayerIndex } from './layer-index.js';
import { scanBudget, type ScanBudget } from './layer-stream.js';

export interface ReaderOptions {
  client: RegistryClient;
  ref: ImageRef;
  platform?: Platform;
  maxScanBytes: number;
  /**
   * The call's scan budget when one call reads several images (diff): one DOCKERHUB_MAX_SCAN_BYTES
   * for the call, not one per image. Default: a budget of maxScanBytes for this reader alone.
   */
  budget?: ScanBudget;
  signal: AbortSignal;
  progress?: (done: number, total: number, message: string) => Promise<void>;
}

export class ImageReader {
  readonly budget: ScanBudget;
  /** Layers streamed by this call (the rest came from the cache). */
  readonly streamed: string[] = [];
  private readonly cache: LayerIndexCache;

  private constructor(
    private readonly o: ReaderOptions,
    readonly manifest: Manifest,
    readonly layers: Descriptor[],
    readonly config: Record<string, unknown> | undefined,
  ) {
    this.budget = o.budget ?? scanBudget(o.maxScanBytes);
    this.cache = indexCacheFor(o.client);
  }

  /** The image this reader reads (its registry names the rate-limit telemetry of a result). */
  get ref(): ImageRef {
    return this.o.ref;
  }

  static async open(o: ReaderOptions): Promise<ImageReader> {
    const top = await o.client.getManifest(o.ref, manifestReference(o.ref), o.signal);
    const { image } = await imageManifest(o.client, o.ref, top, o.platform, o.signal);
    if (o.client.isSchema1(image))
      throw new ToolError(
        'unsupported_content',
        `${image.digest} is a Docker schema1 manifest; its layers are not read here`,
        undefined,
        'get_manifest shows its history.',
      );
    const descriptor = image.json.config;
    if (!descriptor || !Array.isArray(image.json.layers))
      throw new ToolError('unsupported_content', `manifest ${image.digest} (${image.mediaType}) is not an image manifest with layers`);
    const read = await readConfig(o.client, o.ref, descriptor, o.signal);
    return new ImageReader(o, image, image.json.layers, read.parsed ? read.value : undefined);
  }

  /** Layer position from an index (`0` is the base) or a digest. */
  position(layer: string): number {
    if (/^\d+$/.test(layer)) {
      const at = Number(layer);
      if (at < this.layers.length) return at;
    } else {
      const at = this.layers.findIndex((l) => l.digest === layer);
      if (at !== -1) return at;
    }
    throw new ToolError(
      'invalid_argument',
      `layer '${layer.slice(0, 80)}' is not in ${this.manifest.digest}: it has ${this.layers.length} layers (0 = base … ${this.layers.length - 1} = top), or give a layer digest`,
    );
  }

  cached(at: number): LayerIndex | undefined {
    return this.cache.get(this.layers[at]!.digest);
  }

  /** The layer's index; streams the layer when no call has read it before. */
  async index(at: number): Promise<LayerIndex> {
    return this.cached(at) ?? (await this.scan(at)).index;
  }

  /** Streams layer `at` (whether cached or not), capturing `want`'s body if the layer holds it. */
  async scan(at: number, want?: { path: string; maxBytes: number }): Promise<{ index: LayerIndex; capture?: Capture }> {
    const layer = this.layers[at]!;
    if (!isLayerMediaType(layer.mediaType))
      throw new ToolError('unsupported_content', `layer ${at} (${layer.digest}) has media type ${layer.mediaType}, not a filesystem tar`);
    let sinceReport = 0;
    const report = (bytes: number): void => {
      sinceReport += bytes;
      if (sinceReport < 4 * 1024 * 1024 || !this.o.progress) return;
      sinceReport = 0;
      // Not awaited: a slow client must not stall the stream; a failed notification is not the call's failure.
      this.o
        .progress(at, this.layers.length, `layer ${at + 1}/${this.layers.length}: ${this.budget.fetched} bytes fetched`)
        .catch(() => undefined);
    };
    await this.o.progress?.(at, this.layers.length, `reading layer ${at + 1}/${this.layers.length} (${layer.size} bytes)`);
    const result = await scanLayer(
      { client: this.o.client, ref: this.o.ref, layer, budget: this.budget, signal: this.o.signal, onFetched: report },
      want,
    );
    this.streamed.push(layer.digest);
    this.cache.set(result.index);
    return result;
  }

  /** Every layer's index, base first. */
  async all(): Promise<LayerIndex[]> {
    const out: LayerIndex[] = [];
    for (let at = 0; at < this.layers.length; at++) out.push(await this.index(at));
    return out;
  }
}
