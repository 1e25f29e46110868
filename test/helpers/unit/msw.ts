// An msw server that lets no request escape, and a log of every request it saw.
import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
}

export interface MswHarness {
  server: SetupServer;
  /** Requests seen since the last reset (handled or not). */
  seen: SeenRequest[];
}

/** Starts one msw server for the file; handlers and the request log reset after each test. */
export function useMsw(): MswHarness {
  const server = setupServer();
  const harness: MswHarness = { server, seen: [] };
  server.events.on('request:start', ({ request }) => {
    harness.seen.push({ method: request.method, url: new URL(request.url), headers: new Headers(request.headers) });
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    harness.seen.length = 0;
  });
  afterAll(() => server.close());
  return harness;
}
