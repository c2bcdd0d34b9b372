/**
 * Drives the real restic binary for the differential test: a scratch
 * repository, one snapshot per timestamp, `forget --dry-run --json`.
 *
 * Speed: every restic command derives the repository key with scrypt at the
 * parameters `restic init` calibrated (about half a second per command). The
 * test re-wraps the master key under cheap scrypt parameters, the way restic's
 * own tests use low-security KDF parameters, so hundreds of `restic backup`
 * runs fit in seconds. The snapshots themselves are made by restic.
 */
import { execFile } from 'node:child_process';
import { createCipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PASSWORD = 'storage-ops-differential';

/** restic's environment; `tz` is its local zone (how it reads --time and buckets). */
export function resticEnv(tz = 'UTC'): NodeJS.ProcessEnv {
  return { ...process.env, RESTIC_PASSWORD: PASSWORD, TZ: tz };
}

export async function restic(args: string[], tz = 'UTC'): Promise<string> {
  const { stdout } = await run('restic', ['--no-cache', ...args], { env: resticEnv(tz), maxBuffer: 64 << 20 });
  return stdout;
}

/** Poly1305 one-time authenticator (RFC 8439) over BigInt; key = r (clamped here) || s. */
export function poly1305(msg: Buffer, r16: Buffer, s16: Buffer): Buffer {
  const le = (b: Buffer) => {
    let x = 0n;
    for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
    return x;
  };
  const p = (1n << 130n) - 5n;
  const r = le(r16) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, Math.min(i + 16, msg.length));
    acc = ((acc + le(Buffer.concat([chunk, Buffer.from([1])]))) * r) % p;
  }
  let tag = (acc + le(s16)) & ((1n << 128n) - 1n);
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}

/** restic's MAC: Poly1305 with r from the key and s = AES-128_k(nonce). */
function resticMac(ciphertext: Buffer, nonce: Buffer, k: Buffer, r: Buffer): Buffer {
  const aes = createCipheriv('aes-128-ecb', k, null).setAutoPadding(false);
  const s = Buffer.concat([aes.update(nonce), aes.final()]);
  return poly1305(ciphertext, r, s);
}

function ctr(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
  const c = createCipheriv('aes-256-ctr', key, nonce);
  return Buffer.concat([c.update(data), c.final()]);
}

/**
 * Replaces the repository's only key file by one wrapping the same master key
 * under scrypt N=1024, r=1, p=1. Verifies the old key's MAC on the way, which
 * proves the MAC code right before restic has to accept the new one.
 */
export async function cheapenKey(repo: string): Promise<void> {
  const dir = join(repo, 'keys');
  const [name] = await readdir(dir);
  const key = JSON.parse(await readFile(join(dir, name), 'utf8'));
  const derive = (salt: Buffer, N: number, r: number, p: number) =>
    scryptSync(PASSWORD, salt, 64, { N, r, p, maxmem: 512 << 20 });
  const user = derive(Buffer.from(key.salt, 'base64'), key.N, key.r, key.p);
  const data = Buffer.from(key.data, 'base64');
  const nonce = data.subarray(0, 16);
  const ct = data.subarray(16, data.length - 16);
  const mac = data.subarray(data.length - 16);
  if (!resticMac(ct, nonce, user.subarray(32, 48), user.subarray(48, 64)).equals(mac)) {
    throw new Error('restic key MAC check failed: the Poly1305-AES code is wrong');
  }
  const master = ctr(user.subarray(0, 32), nonce, ct);
  const salt = randomBytes(64);
  const N = 1024;
  const newUser = derive(salt, N, 1, 1);
  const newNonce = randomBytes(16);
  const newCt = ctr(newUser.subarray(0, 32), newNonce, master);
  const newMac = resticMac(newCt, newNonce, newUser.subarray(32, 48), newUser.subarray(48, 64));
  const body = JSON.stringify({
    ...key,
    N,
    r: 1,
    p: 1,
    salt: salt.toString('base64'),
    data: Buffer.concat([newNonce, newCt, newMac]).toString('base64'),
  });
  await writeFile(join(dir, createHash('sha256').update(body).digest('hex')), body, { mode: 0o400 });
  await unlink(join(dir, name));
}

/** Wall-clock milliseconds -> "2024-01-02 03:04:05" (restic --time, read in restic's TZ). */
export function resticTime(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 19).replace('T', ' ');
}

export interface ResticForgetGroup {
  host: string;
  keep: { time: string }[] | null;
  remove: { time: string }[] | null;
  reasons: { snapshot: { time: string }; matches: string[] }[] | null;
}
