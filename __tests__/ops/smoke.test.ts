import { afterEach, describe, expect, test } from '@jest/globals';
import { runSmokeChecks, assertSmokeOk, type SmokeOptions } from '../../src/core/smoke.js';
import { CancelledError, SmokeError, UsageError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { freePort, startFakeService, type FakeService } from './fake-service.js';

let svc: FakeService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/** Fast retries for tests: no real waiting between attempts. */
const quick = { backoffBaseMs: 10, backoffMaxMs: 20, random: () => 0 } satisfies Partial<SmokeOptions>;

describe('smoke checks against a real local service', () => {
  test('healthy service: both checks pass on the first attempt', async () => {
    svc = await startFakeService();
    const log = new MemoryLogger();
    const r = await runSmokeChecks({ baseUrl: svc.url, storyId: 'story-1', token: svc.state.token }, log);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => [c.name, c.ok, c.status, c.attempts])).toEqual([
      ['healthz', true, 200, 1],
      ['analysis', true, 200, 1],
    ]);
    expect(r.checks[1]!.message).toContain('run-7');
    expect(svc.state.requests.map((q) => q.path)).toEqual(['/healthz', '/api/v1/stories/story-1/analysis/latest']);
    expect(svc.state.requests[1]!.auth).toBe(`Bearer ${svc.state.token}`);
    expect(() => assertSmokeOk(r)).not.toThrow();
  });

  test('a base URL with a path prefix and a trailing slash is joined correctly', async () => {
    svc = await startFakeService();
    const r = await runSmokeChecks(
      { baseUrl: `${svc.url}/`, storyId: 'story-1', token: svc.state.token },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(true);
    expect(svc.state.requests[0]!.path).toBe('/healthz');
  });

  test('story ids are URL-encoded', async () => {
    svc = await startFakeService({ stories: new Set(['a b?c#d']) });
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'a b?c#d', token: svc.state.token },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(true);
    expect(svc.state.requests[1]!.path).toBe('/api/v1/stories/a%20b%3Fc%23d/analysis/latest');
  });

  test('401: fails at once saying the token is wrong or expired', async () => {
    svc = await startFakeService();
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', token: 'not-the-token', ...quick },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(false);
    const a = r.checks.find((c) => c.name === 'analysis')!;
    expect(a).toMatchObject({ ok: false, status: 401, attempts: 1 });
    expect(a.message).toMatch(/wrong or expired/);
    expect(() => assertSmokeOk(r)).toThrow(SmokeError);
    expect(() => assertSmokeOk(r)).toThrow(/"analysis" failed: HTTP 401/);
  });

  test('403: fails at once saying the user may not read the story', async () => {
    svc = await startFakeService({ forbid: true });
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', token: svc.state.token, ...quick },
      new MemoryLogger(),
    );
    const a = r.checks.find((c) => c.name === 'analysis')!;
    expect(a).toMatchObject({ ok: false, status: 403, attempts: 1 });
    expect(a.message).toMatch(/may not read this story/);
  });

  test('404: fails at once saying the story or analysis is missing', async () => {
    svc = await startFakeService();
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'nope', token: svc.state.token, ...quick },
      new MemoryLogger(),
    );
    const a = r.checks.find((c) => c.name === 'analysis')!;
    expect(a).toMatchObject({ ok: false, status: 404, attempts: 1 });
    expect(a.message).toMatch(/story or its analysis is missing/);
    expect(svc.state.requests.filter((q) => q.path.includes('analysis'))).toHaveLength(1);
  });

  test('503 twice, then healthy: retried, attempts counted', async () => {
    svc = await startFakeService({ healthFailures: 2 });
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', token: svc.state.token, ...quick },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(true);
    expect(r.checks[0]).toMatchObject({ name: 'healthz', ok: true, status: 200, attempts: 3 });
  });

  test('slow: a request past the per-request timeout is abandoned and retried', async () => {
    svc = await startFakeService({ slowCount: 1, slowMs: 30_000 });
    const log = new MemoryLogger();
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', token: svc.state.token, requestTimeoutMs: 1000, ...quick },
      log,
    );
    expect(r.ok).toBe(true);
    expect(r.checks[0]).toMatchObject({ name: 'healthz', ok: true, attempts: 2 });
    expect(log.text()).toMatch(/attempt 1 failed \(no complete response within 1000 ms\)/);
  });

  test('down, then up: connection refused is retried until the service listens', async () => {
    const port = await freePort();
    let up!: () => void;
    const listenAfter = new Promise<void>((r) => (up = r));
    svc = await startFakeService({}, { port, listenAfter });
    const log = new MemoryLogger();
    let sleeps = 0;
    const r = await runSmokeChecks(
      {
        baseUrl: svc.url,
        storyId: 'story-1',
        token: svc.state.token,
        ...quick,
        // The service comes up only after the second failed attempt.
        sleep: async () => {
          sleeps++;
          if (sleeps === 2) {
            up();
            await listenAfter;
            await new Promise((res) => setTimeout(res, 50));
          }
        },
      },
      log,
    );
    expect(r.ok).toBe(true);
    expect(r.checks[0]!.attempts).toBeGreaterThanOrEqual(3);
    expect(log.text()).toMatch(/connection refused \(ECONNREFUSED\)/);
  });

  test('never healthy: gives up at the deadline with the last error', async () => {
    svc = await startFakeService({ healthFailures: 1_000_000 });
    const r = await runSmokeChecks(
      {
        baseUrl: svc.url,
        storyId: 'story-1',
        token: svc.state.token,
        timeoutMs: 1000,
        backoffBaseMs: 20,
        backoffMaxMs: 40,
      },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(false);
    expect(r.checks).toHaveLength(1);
    expect(r.checks[0]!.status).toBe(503);
    expect(r.checks[0]!.attempts).toBeGreaterThan(1);
    expect(r.checks[0]!.message).toMatch(
      /^no success within the 1 s deadline after \d+ attempts; last error: HTTP 503/,
    );
  });

  test('healthz 200 with a status other than ok is retried and then reported', async () => {
    svc = await startFakeService({ healthStatus: 'degraded' });
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', token: svc.state.token, timeoutMs: 1000, ...quick },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(false);
    expect(r.checks[0]!.message).toMatch(/status "degraded"; expected \{"status": "ok"\}/);
  });

  test('healthz 404 means a wrong base URL and fails at once', async () => {
    svc = await startFakeService();
    const r = await runSmokeChecks(
      { baseUrl: `${svc.url}/wrong`, storyId: 'story-1', token: 't', ...quick },
      new MemoryLogger(),
    );
    expect(r.checks[0]).toMatchObject({ ok: false, status: 404, attempts: 1 });
    expect(r.checks[0]!.message).toMatch(/check --base-url/);
  });

  test('backoff uses full jitter under an exponentially growing ceiling', async () => {
    for (const [rnd, expected] of [
      [1, [100, 200, 400, 500, 500]],
      [0.5, [50, 100, 200, 250, 250]],
    ] as const) {
      svc = await startFakeService({ healthFailures: 5 });
      const delays: number[] = [];
      const r = await runSmokeChecks(
        {
          baseUrl: svc.url,
          storyId: 'story-1',
          token: svc.state.token,
          backoffBaseMs: 100,
          backoffMaxMs: 500,
          random: () => rnd,
          sleep: async (ms) => void delays.push(ms),
        },
        new MemoryLogger(),
      );
      expect(r.ok).toBe(true);
      expect(delays).toEqual(expected);
      await svc.close();
      svc = undefined;
    }
  });

  test('an abort signal ends the retries with CancelledError', async () => {
    svc = await startFakeService({ healthFailures: 1_000_000 });
    const ac = new AbortController();
    let n = 0;
    const p = runSmokeChecks(
      {
        baseUrl: svc.url,
        storyId: 'story-1',
        token: svc.state.token,
        ...quick,
        sleep: async () => {
          if (++n === 3) ac.abort('SIGINT');
        },
      },
      new MemoryLogger(),
      ac.signal,
    );
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('login flow', () => {
  test('200: logs in, then uses the token it got', async () => {
    svc = await startFakeService();
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', login: { ...svc.state.credentials } },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => [c.name, c.ok, c.status])).toEqual([
      ['healthz', true, 200],
      ['login', true, 200],
      ['analysis', true, 200],
    ]);
    expect(svc.state.requests[2]!.auth).toBe(`Bearer ${svc.state.token}`);
  });

  test('401: bad credentials, no analysis check', async () => {
    svc = await startFakeService();
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', login: { email: 'ops@example.com', password: 'wrong-pw' }, ...quick },
      new MemoryLogger(),
    );
    expect(r.ok).toBe(false);
    expect(r.checks.map((c) => c.name)).toEqual(['healthz', 'login']);
    expect(r.checks[1]).toMatchObject({ ok: false, status: 401, attempts: 1 });
    expect(r.checks[1]!.message).toMatch(/email or password is wrong/);
    // The server echoed the password back; it must not surface anywhere.
    expect(JSON.stringify(r)).not.toContain('wrong-pw');
  });

  test('501: external OIDC, says a token must be supplied', async () => {
    svc = await startFakeService({ loginMode: 'oidc' });
    const r = await runSmokeChecks(
      { baseUrl: svc.url, storyId: 'story-1', login: { ...svc.state.credentials }, ...quick },
      new MemoryLogger(),
    );
    expect(r.checks[1]).toMatchObject({ name: 'login', ok: false, status: 501, attempts: 1 });
    expect(r.checks[1]!.message).toMatch(/external OIDC provider.*a token must be supplied/);
  });
});

describe('input validation', () => {
  const base = { storyId: 's', token: 't' };
  test.each([
    ['ftp://127.0.0.1/', /^--base-url: scheme "ftp" is not supported; expected http or https$/],
    ['not a url', /^--base-url: not a valid URL/],
    ['http://127.0.0.1:1/?x=1', /^--base-url: must not have a query/],
  ])('base URL %s is refused', async (baseUrl, msg) => {
    const p = runSmokeChecks({ ...base, baseUrl }, new MemoryLogger());
    await expect(p).rejects.toBeInstanceOf(UsageError);
    await expect(p).rejects.toThrow(msg);
  });

  test('credentials in the base URL are refused without echoing them', async () => {
    const p = runSmokeChecks({ ...base, baseUrl: 'http://user:hunter2@127.0.0.1:1/' }, new MemoryLogger());
    await expect(p).rejects.toThrow(/^--base-url: must not contain credentials/);
    await expect(p).rejects.not.toThrow(/hunter2/);
  });

  test.each([[''], ['a/b']])('story id %j is refused', async (storyId) => {
    await expect(
      runSmokeChecks({ baseUrl: 'http://127.0.0.1:1', storyId, token: 't' }, new MemoryLogger()),
    ).rejects.toThrow(/^--story-id: must be a non-empty story id without "\/"$/);
  });

  test('no token and no login is refused', async () => {
    await expect(runSmokeChecks({ baseUrl: 'http://127.0.0.1:1', storyId: 's' }, new MemoryLogger())).rejects.toThrow(
      /--token-env or --email/,
    );
  });
});

test("the result is usable as restore's smoke outcome: ok, one-line message, checks", async () => {
  const s = await startFakeService();
  try {
    const good = await runSmokeChecks({ baseUrl: s.url, storyId: 'story-1', token: s.state.token }, new MemoryLogger());
    expect(good.message).toBe('all 2 smoke checks passed');
    const bad = await runSmokeChecks({ baseUrl: s.url, storyId: 'x', token: s.state.token }, new MemoryLogger());
    expect(bad.message).toMatch(/^smoke check "analysis" failed: HTTP 404: /);
    expect(bad.message).not.toContain('\n');
  } finally {
    await s.close();
  }
});
