// The packed package, installed the way a user installs it: `npm pack`, then `npm install` of the
// tarball into an empty folder with --offline (so nothing can come from a registry: the package
// must need nothing beyond itself), then the installed bin answers --version and serves tools/list
// over stdio.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, minimalEnv } from '../helpers/mcp-session.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

describe('the packed package installed into an empty folder', () => {
  let work: string;
  let app: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'dockerhub-mcp-pack-'));
    // --ignore-scripts: prepack would rebuild; `npm test` built dist/ already.
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "private": true }\n');
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball)], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
    });
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs the package alone: nothing else lands in node_modules', () => {
    const installed = readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual([PKG.name]);
  });

  it('its bin prints the version', () => {
    const out = execFileSync(join(app, 'node_modules/.bin/dockerhub-mcp'), ['--version'], {
      cwd: app,
      encoding: 'utf8',
      env: minimalEnv(),
    });
    expect(out).toBe(`${PKG.version}\n`);
  });

  it('serves tools/list over stdio', async () => {
    const session = await connectStdio({
      command: process.execPath,
      args: [join(app, 'node_modules', PKG.name, 'dist/main.cjs')],
      cwd: app,
    });
    try {
      expect(session.client.getServerVersion()?.version).toBe(PKG.version);
      const { tools } = await session.client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['hub_admin', 'hub_registry', 'hub_repos']));
      const config = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'config' } });
      expect(config.isError, JSON.stringify(config.content)).toBeFalsy();
    } finally {
      await session.close();
    }
  });
});
