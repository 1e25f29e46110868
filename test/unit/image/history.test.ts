// Build steps shown per layer: aligned past empty_layer entries, shell wrappers removed.
import { describe, expect, it } from 'vitest';
import { cleanInstruction, layerSteps } from '../../../src/image/history.js';

describe('layer history', () => {
  it('says instructions the way a Dockerfile does', () => {
    expect(cleanInstruction('/bin/sh -c #(nop) ADD file:4b03b5f5 in / ')).toBe('ADD file:4b03b5f5 in /');
    expect(cleanInstruction('/bin/sh -c #(nop)  CMD ["bash"]')).toBe('CMD ["bash"]');
    expect(cleanInstruction('/bin/sh -c apt-get update && apt-get install -y curl')).toBe('RUN apt-get update && apt-get install -y curl');
    expect(cleanInstruction('RUN /bin/sh -c npm ci # buildkit')).toBe('RUN npm ci');
    expect(cleanInstruction('|2 VERSION=1.2 TARGETARCH=amd64 /bin/sh -c make')).toBe('RUN make');
    expect(cleanInstruction('COPY . /app # buildkit')).toBe('COPY . /app');
    expect(cleanInstruction('WORKDIR /app')).toBe('WORKDIR /app');
  });

  it('lines history up with layers, skipping steps that made no layer', () => {
    const config = {
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:a in / ' },
        { created: '2024-01-01T00:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
        { created: '2024-02-01T00:00:00Z', created_by: 'RUN /bin/sh -c apk add git # buildkit', comment: 'buildkit.dockerfile.v0' },
        { created: '2024-02-01T00:00:01Z', created_by: 'ENV X=1', empty_layer: true },
      ],
    };
    expect(layerSteps(config, 3)).toEqual([
      { instruction: 'ADD file:a in /', created: '2024-01-01T00:00:00Z' },
      { instruction: 'RUN apk add git', created: '2024-02-01T00:00:00Z' },
      { instruction: null, created: null },
    ]);
    expect(layerSteps(undefined, 1)).toEqual([{ instruction: null, created: null }]);
    expect(layerSteps({ history: 'odd' }, 1)).toEqual([{ instruction: null, created: null }]);
  });
});
