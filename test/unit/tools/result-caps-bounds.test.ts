// Bounds on what a result can cost: error results obey DOCKERHUB_MAX_RESULT_BYTES like every
// result (an 8 MiB upstream `detail` would otherwise become a 16 MB JSON-RPC line), upstream
// messages are clipped with a marker, redaction and capping survive values nested 100,000 deep,
// the redactor's memory for minted tokens is bounded in bytes, and redacting a long hostile
// string takes linear time.
import { describe, expect, it } from 'vitest';
import { envelope } from '../../../src/http/envelope.js';
import { errorFromResponse, ToolError, upstreamMessage } from '../../../src/http/errors.js';
import {
  MINTED_KEPT_CHARS,
  MINTED_MAX_CHARS,
  mintedSecretsHeld,
  NESTED_TOO_DEEP,
  REDACTED,
  redact,
  redactString,
  registerMintedSecret,
} from '../../../src/redact.js';
import { capEnvelope, DEFAULT_CAPS } from '../../../src/tools/caps.js';
import { errorResult } from '../../../src/tools/framework.js';
import { AUTHED, call, hubApp, useHub } from '../../helpers/unit/hub-harness.js';

const EIGHT_MIB = 8 * 1024 * 1024;

function deepObject(depth: number, leaf: unknown = 'x'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('error results are capped like results', () => {
  const hub = useHub();

  it('a Hub 400 with an 8 MiB detail gives an error result within DOCKERHUB_MAX_RESULT_BYTES', async () => {
    hub.answer('GET', '/v2/namespaces/acme/repositories', { detail: `bad request ${'x'.repeat(EIGHT_MIB)}` }, { status: 400 });
    const result = await call(hubApp(), 'hub_repos', { action: 'list', namespace: 'acme' });
    expect(result.isError).toBe(true);
    const line = JSON.stringify(result);
    console.log(`8 MiB upstream detail → error result of ${line.length} bytes (JSON-RPC payload, text + structured)`);
    expect(line.length).toBeLessThan(2 * DEFAULT_CAPS.maxBytes);
    const error = (result.structuredContent as { error: { type: string; message: string; status: number } }).error;
    expect(error).toMatchObject({ type: 'bad_request', status: 400 });
    expect(error.message).toMatch(/^HTTP 400 for GET \/v2\/namespaces\/acme\/repositories: bad request x+…\(\+[\d,]+ chars\)$/);
  });

  it('a small DOCKERHUB_MAX_RESULT_BYTES caps the error result too', async () => {
    hub.answer('GET', '/v2/namespaces/acme/repositories', { detail: 'y'.repeat(100_000) }, { status: 400 });
    const app = hubApp({ ...AUTHED, DOCKERHUB_MAX_RESULT_BYTES: '2048' });
    const result = await call(app, 'hub_repos', { action: 'list', namespace: 'acme' });
    expect(Buffer.byteLength(JSON.stringify(result.structuredContent))).toBeLessThanOrEqual(2048);
    expect(Buffer.byteLength(result.content[0]!.text)).toBeLessThanOrEqual(2048);
  });

  it('errorResult applies the byte cap to message and hint, even for multi-byte and escaped text', () => {
    for (const unit of ['z', '🐳', '\u0000']) {
      const error = new ToolError('bad_request', unit.repeat(500_000), 400, unit.repeat(500_000));
      const result = errorResult(error, 4096);
      expect(Buffer.byteLength(result.content[0]!.text)).toBeLessThanOrEqual(4096);
      const body = result.structuredContent as { error: { message: string; hint: string; status: number } };
      expect(body.error.message).toMatch(/…\(\+[\d,]+ chars\)$/);
      expect(body.error.hint).toMatch(/…\(\+[\d,]+ chars\)$/);
      expect(body.error.status).toBe(400);
    }
  });

  it('a small error result is untouched', () => {
    const result = errorResult(new ToolError('not_found', 'no such repo', 404, 'Check the names.'));
    expect(result.structuredContent).toEqual({
      error: { type: 'not_found', message: 'no such repo', status: 404, hint: 'Check the names.' },
    });
  });
});

describe('upstream messages are clipped to a few KB', () => {
  it('detail, message and errors[] keep at most about 4 KB and say how much was cut', () => {
    const long = 'd'.repeat(EIGHT_MIB);
    for (const body of [
      { detail: long },
      { message: long },
      { errors: [{ code: 'X', message: long }] },
      { errors: Array(300_000).fill({ message: 'm' }) },
    ]) {
      const message = upstreamMessage(body)!;
      expect(message.length).toBeLessThan(4_200);
      expect(message).toMatch(/…\(\+[\d,]+ (chars|more errors)\)$/);
    }
    expect(upstreamMessage({ detail: 'short' })).toBe('short');
    expect(upstreamMessage({ errors: [{ code: 'NAME_UNKNOWN', message: 'no repo' }] })).toBe('NAME_UNKNOWN: no repo');
  });

  it('errorFromResponse builds a short message from a huge body', () => {
    const error = errorFromResponse(400, { detail: 'e'.repeat(EIGHT_MIB) }, 'GET', '/v2/x');
    expect(error.message.length).toBeLessThan(4_200);
    expect(error.message).toContain('(+8,384,608 chars)');
  });
});

describe('redaction and capping of deeply nested values', () => {
  it('redact survives 100,000 levels and marks where it stopped', () => {
    const value = deepObject(100_000, 'dckr_pat_DeepLeak1');
    const out = redact({ data: value });
    let here: unknown = out.data;
    let depth = 0;
    while (here !== null && typeof here === 'object') {
      here = (here as { a: unknown }).a;
      depth++;
    }
    expect(here).toBe(NESTED_TOO_DEEP);
    expect(depth).toBeLessThan(200);
    expect(JSON.stringify(out)).not.toContain('DeepLeak1');
  });

  it('redact keeps ordinary nesting as it was', () => {
    const value = deepObject(60, 'dckr_pat_ShallowLeak2');
    expect(JSON.stringify(redact(value))).toBe(JSON.stringify(deepObject(60, REDACTED)));
  });

  it('capEnvelope survives 100,000 levels, marks the result truncated and stays within the cap', () => {
    const out = capEnvelope(envelope({ results: [deepObject(100_000)] }), DEFAULT_CAPS);
    expect(out.truncated).toBe(true);
    const text = JSON.stringify(out);
    expect(text).toContain(NESTED_TOO_DEEP);
    expect(text.length).toBeLessThanOrEqual(DEFAULT_CAPS.maxBytes);
  });

  it('capEnvelope returns an ordinary result unchanged', () => {
    const input = envelope({ results: [deepObject(20)] });
    expect(capEnvelope(input, DEFAULT_CAPS)).toBe(input);
  });
});

describe("the redactor's memory for minted tokens", () => {
  it('is bounded in bytes: 128 distinct 60 KiB tokens keep at most 1 MiB', () => {
    const tokens = Array.from({ length: 128 }, (_, i) => `${String(i).padStart(4, '0')}${'t'.repeat(60 * 1024)}`);
    for (const token of tokens) expect(registerMintedSecret(token)).toBe(true);
    const held = mintedSecretsHeld();
    expect(held.chars).toBeLessThanOrEqual(MINTED_KEPT_CHARS);
    // The newest is still redacted; the oldest were let go.
    expect(redactString(`x ${tokens.at(-1)!} y`)).toBe(`x ${REDACTED} y`);
    expect(redactString(tokens[0]!)).toBe(tokens[0]);
  });

  it('refuses an absurd token and tells the caller', () => {
    const before = mintedSecretsHeld();
    expect(registerMintedSecret('h'.repeat(10 * 1024 * 1024))).toBe(false);
    expect(registerMintedSecret('h'.repeat(MINTED_MAX_CHARS + 1))).toBe(false);
    expect(mintedSecretsHeld()).toEqual(before);
  });

  it('registering the same token again does not count it twice', () => {
    registerMintedSecret('same-token-0001');
    const once = mintedSecretsHeld();
    registerMintedSecret('same-token-0001');
    expect(mintedSecretsHeld()).toEqual(once);
  });
});

describe('redacting long hostile strings takes linear time', () => {
  for (const [name, text] of [
    ["'eyJ' repeated (a JWT start that never ends)", 'eyJ'.repeat(400_000)],
    ["'eyJabcd.' repeated", 'eyJabcd.'.repeat(150_000)],
    ["'Bearer ' repeated", 'Bearer '.repeat(170_000)],
    ["'dckr_pat_' repeated", 'dckr_pat_'.repeat(130_000)],
  ] as const) {
    it(`${name}, ${(text.length / 1e6).toFixed(1)} MB`, () => {
      const started = performance.now();
      redactString(text);
      const ms = performance.now() - started;
      console.log(`redactString ${name} ${text.length} chars: ${ms.toFixed(0)} ms`);
      expect(ms).toBeLessThan(2_000);
    });
  }

  it('still finds a JWT after a long run', () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln`;
    expect(redactString(`${'eyJ'.repeat(10_000)} ${jwt}`)).toBe(`${'eyJ'.repeat(10_000)} ${REDACTED}`);
    expect(redactString(`token=${jwt}&x`)).toBe(`token=${REDACTED}&x`);
  });
});
