/**
 * A real HTTP server on 127.0.0.1 that answers like story_gen's API for the
 * smoke checks: /healthz, /api/v1/auth/login and
 * /api/v1/stories/{id}/analysis/latest. Its behaviour is switched through the
 * mutable `state`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeState {
  /** The one valid bearer token. */
  token: string;
  /** Stories that have an analysis. */
  stories: Set<string>;
  /** Answer the next N /healthz with 503. */
  healthFailures: number;
  /** Delay the next N /healthz by `slowMs`. */
  slowCount: number;
  slowMs: number;
  /** /healthz body status. */
  healthStatus: string;
  /** Login: 'password' accepts `credentials`; 'oidc' answers 501. */
  loginMode: 'password' | 'oidc';
  credentials: { email: string; password: string };
  /** Answer the next N analysis requests with a 500 whose body echoes the Authorization header. */
  analysisEchoFailures: number;
  /** Answer 403 for analysis requests. */
  forbid: boolean;
  /** Every request seen: method, path, authorization header. */
  requests: { method: string; path: string; auth: string | undefined }[];
}

export interface FakeService {
  url: string;
  port: number;
  state: FakeState;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts the fake service; with `port`, listens there only after `listenAfter()` resolves. */
export async function startFakeService(
  init: Partial<FakeState> = {},
  opts: { port?: number; listenAfter?: Promise<void> } = {},
): Promise<FakeService> {
  const state: FakeState = {
    token: 'tok-SECRET-abc123',
    stories: new Set(['story-1']),
    healthFailures: 0,
    slowCount: 0,
    slowMs: 0,
    healthStatus: 'ok',
    loginMode: 'password',
    credentials: { email: 'ops@example.com', password: 'pw-SECRET-xyz789' },
    analysisEchoFailures: 0,
    forbid: false,
    requests: [],
    ...init,
  };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.requests.push({ method: req.method ?? '', path: url.pathname, auth: req.headers.authorization });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && url.pathname === '/healthz') {
        if (state.healthFailures > 0) {
          state.healthFailures--;
          return send(res, 503, { detail: 'starting' });
        }
        if (state.slowCount > 0) {
          state.slowCount--;
          const t = setTimeout(() => {
            timers.delete(t);
            if (!res.destroyed) send(res, 200, { status: state.healthStatus, service: 'story_gen' });
          }, state.slowMs);
          timers.add(t);
          return;
        }
        return send(res, 200, { status: state.healthStatus, service: 'story_gen' });
      }
      if (req.method === 'POST' && url.pathname === '/api/v1/auth/login') {
        if (state.loginMode === 'oidc') return send(res, 501, { detail: 'Login is handled by the OIDC provider' });
        let body: { email?: string; password?: string } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {}
        if (body.email === state.credentials.email && body.password === state.credentials.password) {
          return send(res, 200, {
            access_token: state.token,
            token_type: 'bearer',
            expires_at_utc: '2030-01-01T00:00:00Z',
          });
        }
        return send(res, 401, { detail: `Invalid credentials for ${body.email} / ${body.password}` });
      }
      const m = /^\/api\/v1\/stories\/([^/]+)\/analysis\/latest$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        const storyId = decodeURIComponent(m[1]!);
        if (state.analysisEchoFailures > 0) {
          state.analysisEchoFailures--;
          return send(res, 500, { detail: `internal error handling ${req.headers.authorization}` });
        }
        if (req.headers.authorization !== `Bearer ${state.token}`) {
          return send(res, 401, { detail: `Invalid token: ${req.headers.authorization}` });
        }
        if (state.forbid) return send(res, 403, { detail: 'Forbidden' });
        if (!state.stories.has(storyId)) return send(res, 404, { detail: 'Analysis not found' });
        return send(res, 200, {
          run_id: 'run-7',
          story_id: storyId,
          owner_id: 'u1',
          schema_version: 'story_analysis.v1',
          analyzed_at_utc: '2026-12-01T00:00:00Z',
          segment_count: 3,
          event_count: 2,
          beat_count: 1,
        });
      }
      send(res, 404, { detail: 'Not Found' });
    });
  });
  if (opts.port !== undefined) {
    const port = opts.port;
    const listening = (opts.listenAfter ?? Promise.resolve()).then(
      () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve())),
    );
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      state,
      async close() {
        await listening;
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A loopback port that was free a moment ago (for "down, then up" tests). */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
