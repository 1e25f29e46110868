// Config differences as diff reports them: only what differs, env and labels by key, and env
// values of secret-looking names hidden even where the generic redactor would not catch the key.
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/redact.js';
import { diffConfigs, type ConfigView } from '../../../src/image/meta/config-diff.js';

const view = (over: Partial<ConfigView> = {}): ConfigView => ({
  env: ['PATH=/bin'],
  entrypoint: ['/entry'],
  cmd: null,
  user: '',
  working_dir: '/',
  labels: {},
  exposed_ports: ['80/tcp'],
  ...over,
});

describe('diffConfigs', () => {
  it('is empty for equal configs', () => {
    expect(diffConfigs(view(), view())).toEqual({});
  });

  it('lists every kind of difference', () => {
    const diff = diffConfigs(
      view({ env: ['PATH=/bin', 'NPM_AUTH=abc', 'GONE=1'] }),
      view({
        env: ['PATH=/usr/bin', 'NPM_AUTH=def'],
        entrypoint: null,
        cmd: ['run'],
        user: 'app',
        working_dir: '/srv',
        exposed_ports: ['443/tcp'],
      }),
    );
    expect(diff).toEqual({
      env: {
        added: {},
        removed: { GONE: '1' },
        changed: { PATH: { from: '/bin', to: '/usr/bin' }, NPM_AUTH: { from: REDACTED, to: REDACTED } },
      },
      entrypoint: { from: ['/entry'], to: null },
      cmd: { from: null, to: ['run'] },
      user: { from: '', to: 'app' },
      working_dir: { from: '/', to: '/srv' },
      exposed_ports: { added: ['443/tcp'], removed: ['80/tcp'] },
    });
  });
});
