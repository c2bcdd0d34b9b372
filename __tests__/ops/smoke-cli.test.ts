/**
 * `storage-ops smoke` run in-process through `run()`, with stdout and the
 * stderr logger captured: exit codes, the JSON document, and that no token or
 * password reaches any captured output.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { run } from '../../src/cli/main.js';
import { stderrLogger } from '../../src/cli/logger.js';
import { MemoryLogger } from '../../src/core/logger.js';
import { startFakeService, type FakeService } from './fake-service.js';

let svc: FakeService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/** Runs the CLI with a verbose stderr logger whose output is captured. */
async function cli(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    out: (s) => void (stdout += s),
    logger: stderrLogger({ verbose: true, write: (s) => void (stderr += s) }),
    env,
  });
  return { code, stdout, stderr };
}

describe('smoke CLI', () => {
  test('--json prints one JSON document; exit 0 when healthy', async () => {
    svc = await startFakeService();
    const r = await cli(
      ['smoke', '--base-url', svc.url, '--story-id', 'story-1', '--token-env', 'SMOKE_TOKEN', '--json'],
      { SMOKE_TOKEN: svc.state.token },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.checks.map((c: { name: string }) => c.name)).toEqual(['healthz', 'analysis']);
    expect(r.stdout).not.toContain(svc.state.token);
    expect(r.stderr).not.toContain(svc.state.token);
  });

  test('table output and exit 1 when the story is missing', async () => {
    svc = await startFakeService();
    const r = await cli(['smoke', '--base-url', svc.url, '--story-id', 'gone', '--token-env', 'T'], {
      T: svc.state.token,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^check\s+result\s+http\s+attempts\s+latency\s+message$/m);
    expect(r.stdout).toMatch(/^analysis\s+FAIL\s+404\s+1\s+/m);
    expect(r.stdout).toMatch(/smoke checks FAILED/);
  });

  test.each([
    [['--story-id', 's', '--token-env', 'T'], /--base-url: required/],
    [['--base-url', 'http://127.0.0.1:1', '--token-env', 'T'], /--story-id: required/],
    [['--base-url', 'http://127.0.0.1:1', '--story-id', 's'], /--token-env: required/],
    [
      ['--base-url', 'http://127.0.0.1:1', '--story-id', 's', '--token-env', 'UNSET_VAR'],
      /UNSET_VAR is not set or empty/,
    ],
    [['--base-url', 'http://127.0.0.1:1', '--story-id', 's', '--token-env', 'T', '--email', 'a@b'], /not both/],
    [
      ['--base-url', 'http://127.0.0.1:1', '--story-id', 's', '--email', 'a@b'],
      /--password-env: required with --email/,
    ],
    [['--base-url', 'http://127.0.0.1:1', '--story-id', 's', '--token-env', 'T', '--timeout', '-3'], /--timeout/],
    [['--base-url', 'gopher://x', '--story-id', 's', '--token-env', 'T'], /--base-url: scheme "gopher"/],
  ])('usage error %j exits 2', async (args, msg) => {
    const r = await cli(['smoke', ...args], { T: 'tok-SECRET-abc123' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('tok-SECRET-abc123');
  });
});

describe('no secret in any captured output', () => {
  const scenarios: [
    string,
    (s: FakeService) => void,
    (s: FakeService) => string[],
    (s: FakeService) => NodeJS.ProcessEnv,
  ][] = [
    ['token, healthy', () => {}, () => ['--token-env', 'TK'], (s) => ({ TK: s.state.token })],
    ['wrong token, 401 body echoes it', () => {}, () => ['--token-env', 'TK'], () => ({ TK: 'bad-SECRET-token-999' })],
    [
      '500 whose body echoes the Authorization header, then ok',
      (s) => (s.state.analysisEchoFailures = 2),
      () => ['--token-env', 'TK'],
      (s) => ({ TK: s.state.token }),
    ],
    [
      'login with password, token obtained',
      () => {},
      (s) => ['--email', s.state.credentials.email, '--password-env', 'PW'],
      (s) => ({ PW: s.state.credentials.password }),
    ],
    [
      'login with a wrong password the server echoes',
      () => {},
      (s) => ['--email', s.state.credentials.email, '--password-env', 'PW'],
      () => ({ PW: 'wrong-SECRET-pw-555' }),
    ],
    [
      'login answered 500 echoing the Authorization header, obtained token used after',
      (s) => (s.state.analysisEchoFailures = 1),
      (s) => ['--email', s.state.credentials.email, '--password-env', 'PW'],
      (s) => ({ PW: s.state.credentials.password }),
    ],
  ];

  test.each(scenarios)('%s', async (_name, setup, flags, envOf) => {
    svc = await startFakeService();
    setup(svc);
    const env = envOf(svc);
    const secrets = [svc.state.token, svc.state.credentials.password, ...Object.values(env).map(String)];
    for (const json of [true, false]) {
      svc.state.analysisEchoFailures = 0;
      setup(svc);
      const argv = ['smoke', '--base-url', svc.url, '--story-id', 'story-1', ...flags(svc), '--request-timeout', '2'];
      const r = await cli(json ? [...argv, '--json'] : argv, env);
      // And once more through a MemoryLogger, which keeps debug lines too.
      const mem = new MemoryLogger();
      let memOut = '';
      await run(json ? [...argv, '--json'] : argv, { out: (s) => void (memOut += s), logger: mem, env });
      const captured = [r.stdout, r.stderr, memOut, mem.text()].join('\n');
      expect(captured.length).toBeGreaterThan(0);
      for (const s of secrets) expect(captured).not.toContain(s);
    }
    // The secrets did travel (login or bearer requests were made), so a leak would show.
    expect(svc.state.requests.some((q) => q.path !== '/healthz')).toBe(true);
  });
});

describe('smokeRunnerFromFlags (for restore)', () => {
  test("undefined without --base-url; a runner whose result fits restore's SmokeOutcome", async () => {
    const { smokeRunnerFromFlags } = await import('../../src/cli/smoke-flags.js');
    const ctx = { env: {}, logger: new MemoryLogger(), signal: new AbortController().signal };
    expect(smokeRunnerFromFlags({}, ctx)).toBeUndefined();
    svc = await startFakeService();
    const runner = smokeRunnerFromFlags(
      { 'base-url': svc.url, 'story-id': 'story-1', 'token-env': 'TK' },
      { ...ctx, env: { TK: svc.state.token } },
    );
    const outcome: import('../../src/core/restore.js').SmokeOutcome = await runner!();
    expect(outcome).toMatchObject({ ok: true, message: 'all 2 smoke checks passed' });
  });
});
