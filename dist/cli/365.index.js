export const id = 365;
export const ids = [365];
export const modules = {

/***/ 365:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/core/errors.ts
/**
 * Typed errors for the whole engine. Only the adapters (`src/cli`, `src/action`)
 * turn these into exit codes or `core.setFailed`; the engine just throws them.
 *
 * Exit codes follow the CLI contract: 2 for bad usage or input (nothing was
 * touched), 1 for an operation that failed.
 */
/** Base class: every error the tool raises on purpose. */
class StorageOpsError extends Error {
    /** Process exit code the CLI uses for this error. */
    exitCode = 1;
    /** Stable machine-readable code, printed in `--json` results. */
    code = 'operation_failed';
    constructor(message, options) {
        super(message, options);
        this.name = new.target.name;
    }
}
/** Bad flags, inputs or configuration. Raised before any file is touched. */
class UsageError extends StorageOpsError {
    exitCode = 2;
    code = 'usage';
}
/**
 * A configuration the service itself would refuse at start (unknown backend,
 * prototype backend without its flag). The message is the service's sentence.
 */
class ConfigError extends UsageError {
    code = 'config';
}
/** Input data that is not what it claims to be: missing DB, not SQLite, bad meta file. */
class InputError extends UsageError {
    code = 'input';
}
/** Snapshotting the live data failed. */
class SnapshotError extends StorageOpsError {
    code = 'snapshot';
}
/** A backup failed verification: names the file and what differs. */
class VerifyError extends StorageOpsError {
    code = 'verify';
}
/** A backup store operation failed (listing, publishing, fetching, deleting). */
class StoreError extends StorageOpsError {
    code = 'store';
}
/** A named backup does not exist in the store. */
class NotFoundError extends UsageError {
    code = 'not_found';
}
/** Restoring failed; the message says what state the target is in. */
class RestoreError extends StorageOpsError {
    code = 'restore';
}
/** A rollback could not be carried out as planned (the env file edit failed its self-check). */
class RollbackError extends StorageOpsError {
    code = 'rollback';
}
/** A smoke check failed. */
class errors_SmokeError extends StorageOpsError {
    code = 'smoke';
}
/** Retention refused to prune (guards, clock skew, max-delete). */
class RetentionError extends StorageOpsError {
    code = 'retention';
}
/** Another run holds the store lock. */
class LockError extends StorageOpsError {
    code = 'locked';
}
/** A writer command (stop/start writers, restart) failed. */
class CommandError extends StorageOpsError {
    code = 'command';
}
/** The run was interrupted by SIGINT or SIGTERM. */
class CancelledError extends StorageOpsError {
    exitCode = 130;
    code = 'cancelled';
}
/** One-line message of an error, for logs (never includes stack traces). */
function oneLine(err) {
    const msg = err instanceof Error ? err.message : String(err);
    return msg.replace(/\s*\n\s*/g, ' ').trim();
}
/** A backup name is already taken in the store (a concurrent run got it first). */
class NameTakenError extends StoreError {
    code = 'name_taken';
}
/** The filesystem a backup or restore writes to has no room left (ENOSPC, SQLITE_FULL). */
class DiskFullError extends StorageOpsError {
    code = 'disk_full';
}

;// CONCATENATED MODULE: ./src/core/config.ts
/**
 * Backend and data-root resolution, exactly as the story_gen service reads its
 * environment (see shared/reference/story_gen_facts.md): same normalisation,
 * same flag truthiness, same error sentences. Pure: takes an env map.
 */


/** The three analysis backends the service knows. */
const BACKENDS = ['sqlite', 'mongo-prototype', 'graph-prototype'];
/** The service's default DB path, relative to its working directory. */
const DEFAULT_DB_PATH = 'work/local/story_gen.db';
/** Values the service treats as "on" for a feature flag (after strip + lower-case). */
const TRUTHY = new Set(['1', 'true', 'yes', 'on']);
/** Env var names the service reads. */
const ENV = {
    backend: 'STORY_GEN_ANALYSIS_BACKEND',
    mongoFlag: 'STORY_GEN_ENABLE_MONGO_ADAPTER',
    graphFlag: 'STORY_GEN_ENABLE_GRAPH_ADAPTER',
    dbPath: 'STORY_GEN_DB_PATH',
};
/** Python's str.strip() on whitespace, as the service applies it. */
function pyStrip(value) {
    return value.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}
/** True when the service would read this flag value as on. */
function isFlagOn(value) {
    return value !== undefined && TRUTHY.has(pyStrip(value).toLowerCase());
}
/**
 * Normalises a backend value the way the service does: strip, lower-case, empty
 * means sqlite. Throws the service's own sentence for anything else.
 */
function normaliseBackend(value) {
    const v = pyStrip(value ?? '').toLowerCase();
    if (v === '')
        return 'sqlite';
    if (BACKENDS.includes(v))
        return v;
    throw new ConfigError('Unsupported STORY_GEN_ANALYSIS_BACKEND value. Expected sqlite, mongo-prototype, or graph-prototype.');
}
/** `<stem>` as the service computes it: the file name without its last extension. */
function dbStem(dbPath) {
    const base = external_node_path_default().basename(dbPath);
    const ext = external_node_path_default().extname(base);
    return ext ? base.slice(0, -ext.length) : base;
}
/** Data files for a backend, in the DB file's folder. */
function dataRoots(backend, dbPath, cwd = process.cwd()) {
    const abs = external_node_path_default().resolve(cwd, dbPath);
    const dir = external_node_path_default().dirname(abs);
    const stem = dbStem(abs);
    switch (backend) {
        case 'sqlite':
            return { backend, dbPath: abs, files: [{ role: 'sqlite', path: abs }] };
        case 'mongo-prototype':
        case 'graph-prototype': {
            const kind = backend === 'mongo-prototype' ? 'mongo' : 'graph';
            return {
                backend,
                dbPath: abs,
                files: [
                    { role: 'runs', path: external_node_path_default().join(dir, `${stem}.${kind}_analysis_runs.jsonl`) },
                    { role: 'meta', path: external_node_path_default().join(dir, `${stem}.${kind}_analysis_meta.json`) },
                ],
            };
        }
    }
}
/**
 * Resolves backend and data roots the way the service does at start.
 * An explicit backend override is validated with the same rules but does not
 * require the feature flag: an operator backing up prototype files names the
 * backend on purpose, which is what the flag guards against in the service.
 */
function resolveConfig(env, overrides = {}, cwd = process.cwd()) {
    const flags = { mongo: isFlagOn(env[ENV.mongoFlag]), graph: isFlagOn(env[ENV.graphFlag]) };
    let backend;
    let backendSource;
    if (overrides.backend !== undefined) {
        const v = overrides.backend.trim().toLowerCase();
        if (!BACKENDS.includes(v)) {
            throw new UsageError(`--backend: unknown backend "${overrides.backend}"; expected one of ${BACKENDS.join(', ')}`);
        }
        backend = v;
        backendSource = 'override';
    }
    else {
        backend = normaliseBackend(env[ENV.backend]);
        backendSource = env[ENV.backend] !== undefined && pyStrip(env[ENV.backend] ?? '') !== '' ? 'env' : 'default';
        assertFlagFor(backend, flags);
    }
    let dbPath;
    let dbSource;
    if (overrides.dbPath !== undefined && overrides.dbPath !== '') {
        dbPath = overrides.dbPath;
        dbSource = 'override';
    }
    else if (env[ENV.dbPath] !== undefined && env[ENV.dbPath] !== '') {
        dbPath = env[ENV.dbPath];
        dbSource = 'env';
    }
    else {
        dbPath = DEFAULT_DB_PATH;
        dbSource = 'default';
    }
    return { ...dataRoots(backend, dbPath, cwd), sources: { backend: backendSource, dbPath: dbSource }, flags };
}
/** The service's start-up check that a prototype backend has its flag. */
function assertFlagFor(backend, flags) {
    if (backend === 'mongo-prototype' && !flags.mongo) {
        throw new ConfigError(`${ENV.backend}=mongo-prototype requires ${ENV.mongoFlag}=1.`);
    }
    if (backend === 'graph-prototype' && !flags.graph) {
        throw new ConfigError(`${ENV.backend}=graph-prototype requires ${ENV.graphFlag}=1.`);
    }
}

;// CONCATENATED MODULE: ./src/core/disk-space.ts
/**
 * Free-space checks and ENOSPC mapping: a backup or restore that cannot fit
 * says so up front, naming the folder and the space it needs, and a disk that
 * fills up mid-copy turns into the same one-line DiskFullError instead of a
 * raw errno from deep inside a copy.
 */



/** Slack for manifests, SQLite page rounding and filesystem metadata. */
const SPACE_MARGIN_BYTES = 256 * 1024;
function mib(bytes) {
    return (bytes / 1048576).toFixed(1);
}
/** Bytes free to an unprivileged writer on the filesystem holding `dir` (or its nearest existing ancestor). */
async function freeBytes(dir) {
    let p = external_node_path_default().resolve(dir);
    for (;;) {
        try {
            const st = await promises_default().statfs(p);
            return Number(st.bavail) * Number(st.bsize);
        }
        catch (err) {
            const code = err.code;
            const parent = external_node_path_default().dirname(p);
            if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === p)
                return null;
            p = parent;
        }
    }
}
/** The one-line message every disk-full report uses. */
function diskFullMessage(dir, what, needed, free) {
    return `no space left on ${dir}: ${what} needs about ${mib(needed)} MiB, ${free === null ? 'unknown' : `${mib(free)} MiB`} free`;
}
/** Throws DiskFullError when `dir`'s filesystem has less than `needed` bytes (plus margin) free. */
async function ensureSpace(dir, needed, what) {
    const want = needed + SPACE_MARGIN_BYTES;
    const free = await freeBytes(dir);
    if (free !== null && free < want)
        throw new DiskFullError(diskFullMessage(dir, what, want, free));
}
/** True when `err` (or any error in its cause chain) means the disk or quota is full. */
function isDiskFull(err) {
    for (let e = err, depth = 0; e && depth < 10; e = e.cause, depth++) {
        const x = e;
        if (x.code === 'ENOSPC' || x.code === 'EDQUOT')
            return true;
        // SQLITE_FULL (13) from node:sqlite: "database or disk is full".
        if (x.errcode === 13 || (typeof x.message === 'string' && /database or disk is full|ENOSPC/.test(x.message))) {
            return true;
        }
    }
    return false;
}
/** Wraps a disk-full failure as DiskFullError naming `dir` and the space wanted. */
async function diskFullError(dir, what, needed, err) {
    return new DiskFullError(diskFullMessage(dir, what, needed + SPACE_MARGIN_BYTES, await freeBytes(dir)), {
        cause: err,
    });
}

;// CONCATENATED MODULE: ./src/core/faults.ts
/**
 * Named fault points, so tests can stop a run at an exact step instead of
 * racing a timer (issue: killed runs lose nothing). Harmless in production:
 * without STORAGE_OPS_FAULT set, `faultPoint` returns at once.
 *
 * STORAGE_OPS_FAULT=pause:<point>  print "fault-point <point>" on stderr and wait
 *                                  until the run is cancelled (the test then
 *                                  sends a signal or SIGKILL), or until SIGUSR2
 *                                  resumes it (to change the world mid-run, e.g.
 *                                  fill a disk)
 * STORAGE_OPS_FAULT=fail:<point>   throw an error at that point
 *
 * The action has one more test hook, read in src/action/main.ts only (the
 * engine takes its clock as an option): STORAGE_OPS_NOW=<ISO time> fixes the
 * action's clock so tests can simulate days of backups. Unset, it does nothing.
 */

/** Reached at the named step; may pause or fail when a test asks for it. */
async function faultPoint(point, signal) {
    const spec = process.env.STORAGE_OPS_FAULT;
    if (!spec)
        return;
    const sep = spec.indexOf(':');
    const action = spec.slice(0, sep);
    const at = spec.slice(sep + 1);
    if (at !== point)
        return;
    if (action === 'fail')
        throw new StorageOpsError(`injected failure at ${point}`);
    if (action === 'pause') {
        // Listen before announcing the pause: a test reacts to the line at once.
        const resumed = new Promise((resolve) => {
            if (signal?.aborted)
                return resolve();
            // Keep the event loop alive while paused.
            const timer = setInterval(() => { }, 1000);
            const done = () => {
                clearInterval(timer);
                process.off('SIGUSR2', done);
                resolve();
            };
            signal?.addEventListener('abort', done, { once: true });
            process.on('SIGUSR2', done);
        });
        process.stderr.write(`fault-point ${point}\n`);
        await resumed;
        signal?.throwIfAborted();
    }
}
/**
 * A fault point inside a step that finishes once started: a cancel while
 * paused here resumes the run instead of aborting it (the caller finishes
 * the step and reports the cancel at its next check).
 */
async function faultPointNoAbort(point, signal) {
    try {
        await faultPoint(point, signal);
    }
    catch (err) {
        if (!signal?.aborted)
            throw err;
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(24);
;// CONCATENATED MODULE: ./src/core/fs-safe.ts
/**
 * Crash-safe file primitives: every durable write goes temp file -> fsync ->
 * rename -> fsync(folder), so a crash leaves either the old or the new file.
 */





/** fsyncs a folder so a rename inside it survives a crash. */
async function fsyncDir(dir) {
    const handle = await promises_default().open(dir, 'r');
    try {
        await handle.sync();
    }
    finally {
        await handle.close();
    }
}
/** fsyncs a file by path. */
async function fsyncFile(file) {
    const handle = await promises_default().open(file, 'r+');
    try {
        await handle.sync();
    }
    finally {
        await handle.close();
    }
}
/** A unique temporary name beside `target`, hidden and marked so cleanup can find it. */
function tempNameBeside(target, tag = 'tmp') {
    return external_node_path_default().join(external_node_path_default().dirname(target), `.${external_node_path_default().basename(target)}.${tag}-${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}`);
}
/**
 * Atomically replaces (or creates) `target` with `data`: temp file, fsync,
 * rename, fsync folder. The new file keeps the old file's mode (an env file
 * holding secrets stays 0600), or takes `mode` (default 0644 for a new file);
 * the temp file is never wider than 0600 while it is written.
 */
async function writeFileAtomic(target, data, mode) {
    let fileMode = mode;
    if (fileMode === undefined) {
        try {
            fileMode = (await promises_default().stat(target)).mode & 0o7777;
        }
        catch {
            fileMode = 0o644;
        }
    }
    const tmp = tempNameBeside(target);
    try {
        const handle = await promises_default().open(tmp, 'wx', 0o600);
        try {
            await handle.writeFile(data);
            await handle.chmod(fileMode);
            await handle.sync();
        }
        finally {
            await handle.close();
        }
        await promises_default().rename(tmp, target);
        await fsyncDir(external_node_path_default().dirname(target));
    }
    catch (err) {
        await promises_default().rm(tmp, { force: true });
        throw err;
    }
}
/** Copies `src` to the new file `dest` (never overwriting), keeping its mode, durably. */
async function copyFileDurable(src, dest) {
    await copyFileHashed(src, dest, { mode: (await promises_default().stat(src)).mode & 0o7777 });
    await fsyncDir(external_node_path_default().dirname(dest));
}
/**
 * Streams `src` into `dest` (created exclusively), hashing as it goes, then
 * fsyncs. Returns the byte count and sha256. Removes `dest` on failure.
 */
async function copyFileHashed(src, dest, opts = {}) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const total = opts.limit ?? (await promises_default().stat(src)).size;
    // With an explicit mode (an env file's 0600), the copy is never wider than 0600 before it gets it.
    const out = await promises_default().open(dest, 'wx', opts.mode === undefined ? 0o644 : 0o600);
    let bytes = 0;
    try {
        if (opts.mode !== undefined)
            await out.chmod(opts.mode);
        const stream = (0,external_node_fs_.createReadStream)(src, {
            highWaterMark: 1 << 20,
            ...(opts.limit !== undefined ? { end: opts.limit - 1 } : {}),
        });
        if (opts.limit === 0)
            stream.destroy();
        else
            for await (const chunk of stream) {
                opts.signal?.throwIfAborted();
                hash.update(chunk);
                await out.write(chunk);
                bytes += chunk.length;
                opts.onProgress?.(bytes, total);
            }
        await out.sync();
    }
    catch (err) {
        await out.close().catch(() => { });
        await promises_default().rm(dest, { force: true });
        throw err;
    }
    await out.close();
    return { bytes, sha256: hash.digest('hex') };
}
/** sha256 and size of a file, streamed (constant memory). */
async function hashFile(file, onProgress) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const total = onProgress ? (await promises_default().stat(file)).size : 0;
    let bytes = 0;
    for await (const chunk of (0,external_node_fs_.createReadStream)(file, { highWaterMark: 1 << 20 })) {
        hash.update(chunk);
        bytes += chunk.length;
        onProgress?.(bytes, total);
    }
    return { bytes, sha256: hash.digest('hex') };
}
/** True when the path exists (any type, links not followed). */
async function exists(p) {
    try {
        await promises_default().lstat(p);
        return true;
    }
    catch {
        return false;
    }
}
/** Reports progress at most every `intervalMs` as percent and MB/s. */
function throttledProgress(label, log, intervalMs = 2000, now = () => performance.now()) {
    const start = now();
    let last = start;
    return (done, total) => {
        const t = now();
        if (t - last < intervalMs)
            return;
        last = t;
        const pct = total > 0 ? ((done / total) * 100).toFixed(1) : '?';
        const mbps = (done / 1048576 / ((t - start) / 1000)).toFixed(1);
        log(`${label}: ${pct}% (${(done / 1048576).toFixed(1)} MiB, ${mbps} MB/s)`);
    };
}

;// CONCATENATED MODULE: ./src/core/jsonl.ts
/**
 * JSONL snapshot and validation for the prototype backends' append-only runs
 * files, and meta-file parsing.
 */





/** Largest single JSONL line we accept (the service writes small documents). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/**
 * Offset just past the last newline in the first `size` bytes of `file`: the
 * part a snapshot may copy. Bytes after it are a torn append in flight.
 */
async function lastCompleteLineEnd(file, size) {
    const handle = await promises_default().open(file, 'r');
    try {
        const chunk = Buffer.alloc(Math.min(size, 1 << 16));
        let end = size;
        while (end > 0) {
            const start = Math.max(0, end - chunk.length);
            const { bytesRead } = await handle.read(chunk, 0, end - start, start);
            const idx = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
            if (idx >= 0)
                return start + idx + 1;
            end = start;
        }
        return 0;
    }
    finally {
        await handle.close();
    }
}
/**
 * Streams the lines of a JSONL file and checks each is valid UTF-8 and JSON.
 * Returns the line count; throws `makeError(message)` at the first bad line.
 */
async function validateJsonl(file, makeError = (m) => new VerifyError(m)) {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let lines = 0;
    let pending = [];
    let pendingBytes = 0;
    const check = (buf) => {
        lines += 1;
        let text;
        try {
            text = decoder.decode(buf);
        }
        catch {
            throw makeError(`${file}: line ${lines} is not valid UTF-8`);
        }
        try {
            JSON.parse(text);
        }
        catch (err) {
            throw makeError(`${file}: line ${lines} is not valid JSON (${err.message.split('\n')[0]})`);
        }
    };
    const stream = (0,external_node_fs_.createReadStream)(file, { highWaterMark: 1 << 20 });
    for await (const chunk of stream) {
        let from = 0;
        for (;;) {
            const nl = chunk.indexOf(0x0a, from);
            if (nl < 0)
                break;
            const part = chunk.subarray(from, nl);
            if (pendingBytes + part.length > MAX_LINE_BYTES) {
                throw makeError(`${file}: line ${lines + 1} is longer than ${MAX_LINE_BYTES / 1048576} MiB`);
            }
            check(pending.length ? Buffer.concat([...pending, part]) : part);
            pending = [];
            pendingBytes = 0;
            from = nl + 1;
        }
        if (from < chunk.length) {
            const rest = chunk.subarray(from);
            pendingBytes += rest.length;
            if (pendingBytes > MAX_LINE_BYTES) {
                throw makeError(`${file}: line ${lines + 1} is longer than ${MAX_LINE_BYTES / 1048576} MiB`);
            }
            // Copy: the stream may reuse its buffer.
            pending.push(Buffer.from(rest));
        }
    }
    if (pendingBytes > 0)
        throw makeError(`${file}: ends with an incomplete line (${pendingBytes} bytes without a newline)`);
    return lines;
}
/** Copies `source` up to its last complete line into `dest`, then validates every copied line. */
async function snapshotJsonl(source, dest, opts = {}) {
    let size;
    try {
        const st = await promises_default().stat(source);
        if (!st.isFile())
            throw new InputError(`runs file ${source} is not a regular file`);
        size = st.size;
    }
    catch (err) {
        if (err instanceof StorageOpsError)
            throw err;
        const code = err.code;
        throw new InputError(code === 'ENOENT' ? `runs file ${source} does not exist` : `runs file ${source} cannot be read: ${code ?? err}`, { cause: err });
    }
    try {
        const cut = await lastCompleteLineEnd(source, size);
        const tornBytes = size - cut;
        if (tornBytes > 0) {
            opts.warn?.(`${source}: left out a torn last line of ${tornBytes} bytes (an append in flight or a crashed writer)`);
        }
        const { bytes, sha256 } = await copyFileHashed(source, dest, { limit: cut, ...opts });
        const lines = await validateJsonl(dest, (m) => new SnapshotError(`${m.replace(dest, source)}; a runs file holds one UTF-8 JSON document per line, each under ${MAX_LINE_BYTES / 1048576} MiB`));
        return { bytes, sha256, facts: { lines, tornBytes } };
    }
    catch (err) {
        await promises_default().rm(dest, { force: true });
        if (err instanceof StorageOpsError)
            throw err;
        throw new SnapshotError(`copying ${source} failed: ${err.message}`, { cause: err });
    }
}
/** Parses meta-file bytes; returns its schema_version or throws `makeError`. */
function parseMeta(text, file, makeError = (m) => new InputError(m)) {
    let doc;
    try {
        doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
    }
    catch (err) {
        throw makeError(`meta file ${file} is not valid JSON: ${err.message.split('\n')[0]}`);
    }
    const version = doc?.schema_version;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof version !== 'string') {
        throw makeError(`meta file ${file} has no string "schema_version"`);
    }
    return { schemaVersion: version };
}
/** Reads the meta file once, parses it and writes exactly those bytes to `dest` (fsynced). */
async function snapshotMeta(source, dest) {
    let text;
    try {
        text = await promises_default().readFile(source);
    }
    catch (err) {
        const code = err.code;
        throw new InputError(code === 'ENOENT' ? `meta file ${source} does not exist` : `meta file ${source} cannot be read: ${code ?? err}`, { cause: err });
    }
    const facts = parseMeta(text, source);
    const handle = await promises_default().open(dest, 'wx', 0o644);
    try {
        await handle.writeFile(text);
        await handle.sync();
    }
    finally {
        await handle.close();
    }
    return { bytes: text.length, sha256: (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex'), facts };
}

;// CONCATENATED MODULE: ./src/core/types.ts
/** Manifest format version; bump on incompatible changes. */
const MANIFEST_FORMAT = 1;
const MANIFEST_FILE = 'manifest.json';

;// CONCATENATED MODULE: ./src/core/manifest.ts
/**
 * Reading, validating and writing `manifest.json`. A manifest read from disk is
 * untrusted input (a backup may come from an artifact): every field used later
 * is checked here, and file names must be plain names inside the backup folder.
 */






/** True when `name` is a plain file name (no separators, not `.`/`..`, not hidden). */
function isPlainFileName(name) {
    return (typeof name === 'string' &&
        name.length > 0 &&
        name.length <= 255 &&
        !/[/\\\0]/.test(name) &&
        name !== '.' &&
        name !== '..' &&
        !name.startsWith('.'));
}
/** Validates a parsed manifest document; throws VerifyError saying what is wrong. */
function validateManifest(doc, where) {
    const bad = (what) => new VerifyError(`${where}: manifest ${what}`);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
        throw bad('is not a JSON object');
    const m = doc;
    if (m.formatVersion !== MANIFEST_FORMAT) {
        throw bad(`has formatVersion ${JSON.stringify(m.formatVersion)}; this tool reads format ${MANIFEST_FORMAT}`);
    }
    if (typeof m.name !== 'string' || m.name === '')
        throw bad('has no name');
    if (typeof m.backend !== 'string' || !BACKENDS.includes(m.backend)) {
        throw bad(`has unknown backend ${JSON.stringify(m.backend)}`);
    }
    if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt)))
        throw bad('has no valid createdAt');
    if (!Array.isArray(m.files) || m.files.length === 0)
        throw bad('lists no files');
    const seen = new Set();
    for (const f of m.files) {
        const file = f;
        if (typeof file !== 'object' || file === null)
            throw bad('has a file entry that is not an object');
        if (typeof file.name !== 'string' || !isPlainFileName(file.name) || file.name === MANIFEST_FILE) {
            throw bad(`has an unsafe file name ${JSON.stringify(file.name)}`);
        }
        if (seen.has(file.name))
            throw bad(`lists ${file.name} twice`);
        seen.add(file.name);
        if (!['sqlite', 'runs', 'meta'].includes(String(file.role)))
            throw bad(`gives ${file.name} unknown role`);
        if (!Number.isSafeInteger(file.bytes) || file.bytes < 0)
            throw bad(`gives ${file.name} no valid size`);
        if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256)) {
            throw bad(`gives ${file.name} no valid sha256`);
        }
    }
    return doc;
}
/** Reads and validates `<dir>/manifest.json`. */
async function readManifest(dir) {
    const file = external_node_path_default().join(dir, MANIFEST_FILE);
    let text;
    try {
        text = await promises_default().readFile(file, 'utf8');
    }
    catch (err) {
        const code = err.code;
        throw new VerifyError(`${dir}: ${MANIFEST_FILE} is ${code === 'ENOENT' ? 'missing' : `unreadable (${code})`}`, {
            cause: err,
        });
    }
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (err) {
        throw new VerifyError(`${dir}: ${MANIFEST_FILE} is not valid JSON`, { cause: err });
    }
    return validateManifest(doc, dir);
}
/** Writes the manifest crash-safely. */
async function writeManifest(dir, manifest) {
    await writeFileAtomic(external_node_path_default().join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

;// CONCATENATED MODULE: ./src/core/naming.ts
/**
 * Backup names: `<db stem>-<backend>-<UTC timestamp>`, e.g.
 * `story_gen-sqlite-20261204T201530.123Z`. They sort chronologically within one
 * prefix, carry millisecond precision so two backups in one second differ, and
 * use only characters valid in folder names and artifact names.
 */

const STAMP_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/;
const NAME_RE = /^(?<prefix>[A-Za-z0-9._-]+)-(?<stamp>\d{8}T\d{6}\.\d{3}Z)$/;
/** Formats an instant as the compact UTC stamp used in names. */
function formatStamp(date) {
    const iso = date.toISOString(); // 2026-12-04T20:15:30.123Z
    return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.${iso.slice(20, 23)}Z`;
}
/** Parses a stamp back into a Date, or null when it is not one. */
function parseStamp(stamp) {
    const m = STAMP_RE.exec(stamp);
    if (!m)
        return null;
    const [, y, mo, d, h, mi, s, ms] = m;
    const date = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms));
    return Number.isNaN(date.getTime()) ? null : date;
}
/** The default prefix: db stem plus backend. */
function defaultPrefix(stem, backend) {
    return `${sanitise(stem)}-${backend}`;
}
/** Replaces characters that are unsafe in folder or artifact names. */
function sanitise(part) {
    const s = part.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '');
    return s === '' ? 'db' : s;
}
/** Builds a backup name. */
function backupName(prefix, date) {
    return `${prefix}-${formatStamp(date)}`;
}
/** Splits a backup name into prefix and time; null when it is not one of ours. */
function parseBackupName(name) {
    const m = NAME_RE.exec(name);
    if (!m?.groups)
        return null;
    const createdAt = parseStamp(m.groups.stamp);
    return createdAt ? { prefix: m.groups.prefix, createdAt } : null;
}
/** Validates a prefix given by a user (flag or input). */
function validatePrefix(prefix, flag = '--prefix') {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(prefix)) {
        throw new UsageError(`${flag}: "${prefix}" is not a valid prefix; use 1-101 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    }
    return prefix;
}
/**
 * Validates a backup name given by a user: it must be a plain name (no path
 * separators, no `..`), so it can never point outside the store.
 */
function validateBackupName(name, flag = '--backup') {
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.startsWith('.')) {
        throw new UsageError(`${flag}: "${name}" is not a backup name; expected a name from 'list' (no '/', '\\' or leading '.') or 'latest'`);
    }
    return name;
}

// EXTERNAL MODULE: external "node:sqlite"
var external_node_sqlite_ = __webpack_require__(99);
// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(919);
;// CONCATENATED MODULE: ./src/core/sqlite-inspect.ts
/**
 * Read-only inspection of SQLite files: header check, integrity check and the
 * facts a manifest records. Shared by snapshot, verify and restore.
 */




const HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Checks that `file` is a regular, non-empty SQLite database file; throws InputError naming it otherwise. */
async function assertSqliteFile(file, what = 'database') {
    let handle;
    try {
        handle = await promises_default().open(file, 'r');
    }
    catch (err) {
        const code = err.code;
        if (code === 'ENOENT')
            throw new InputError(`${what} ${file} does not exist`, { cause: err });
        if (code === 'EACCES')
            throw new InputError(`${what} ${file} is not readable (permission denied)`, { cause: err });
        if (code === 'EISDIR')
            throw new InputError(`${what} ${file} is a directory, not a SQLite file`, { cause: err });
        throw new InputError(`${what} ${file} cannot be opened: ${err.message}`, { cause: err });
    }
    try {
        const st = await handle.stat();
        if (!st.isFile())
            throw new InputError(`${what} ${file} is not a regular file`);
        if (st.size === 0)
            throw new InputError(`${what} ${file} is empty (0 bytes), not a SQLite database`);
        const buf = Buffer.alloc(16);
        const { bytesRead } = await handle.read(buf, 0, 16, 0);
        if (bytesRead < 16 || !buf.equals(HEADER)) {
            throw new InputError(`${what} ${file} is not a SQLite database (no "SQLite format 3" header)`);
        }
    }
    finally {
        await handle.close();
    }
}
/** Double-quotes an SQL identifier. */
function quoteIdent(name) {
    return `"${name.replace(/"/g, '""')}"`;
}
/** Facts about an open database (one read transaction should be active for consistency). */
function collectFacts(db, sourceJournalMode) {
    const one = (sql) => Object.values(db.prepare(sql).get())[0];
    const tables = {};
    const names = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all();
    for (const { name } of names) {
        tables[name] = Number(one(`SELECT count(*) FROM ${quoteIdent(name)}`));
    }
    let analysisSchemaVersion = null;
    if ('analysis_schema_versions' in tables) {
        try {
            const row = db
                .prepare("SELECT schema_version FROM analysis_schema_versions WHERE schema_key = 'story_analysis_runs'")
                .get();
            if (row?.schema_version !== undefined && row.schema_version !== null) {
                analysisSchemaVersion = String(row.schema_version);
            }
        }
        catch {
            // A table of that name without the expected columns is not the service's: leave the version unknown.
        }
    }
    return {
        pageSize: Number(one('PRAGMA page_size')),
        pageCount: Number(one('PRAGMA page_count')),
        sourceJournalMode,
        userVersion: Number(one('PRAGMA user_version')),
        tables,
        analysisSchemaVersion,
    };
}
/** Sets a database file's journal mode (and with it the file-format flag in its header). */
function setJournalMode(file, mode) {
    const db = new external_node_sqlite_.DatabaseSync(file);
    try {
        db.exec(`PRAGMA journal_mode=${mode}`);
    }
    finally {
        db.close();
    }
}
/** Opens a database file read-only for checks (never creates it, never writes). */
function openReadOnly(file) {
    return new external_node_sqlite_.DatabaseSync(file, { readOnly: true, timeout: 10_000 });
}
/*
 * PRAGMA integrity_check reads every page and is synchronous. Run in a worker
 * thread, it overlaps with hashing the same file on the main thread (the two
 * are the bulk of verification), which on two cores nearly halves a verify.
 * The worker is plain CommonJS source evaluated by Node, so it needs no
 * separate file in the bundles.
 */
const INTEGRITY_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
let db;
try {
  db = new DatabaseSync(workerData.file, { readOnly: true, timeout: 10000 });
  const rows = db.prepare('PRAGMA integrity_check').all().map((r) => String(r.integrity_check));
  parentPort.postMessage({ problems: rows.length === 1 && rows[0] === 'ok' ? [] : rows });
} catch (err) {
  parentPort.postMessage({ error: String(err && err.message || err) });
} finally {
  if (db) db.close();
}
`;
/** `PRAGMA integrity_check` on a file in a worker thread; resolves to the problems found (empty when ok). */
function integrityProblemsInWorker(file) {
    return new Promise((resolve, reject) => {
        const worker = new external_node_worker_threads_.Worker(INTEGRITY_WORKER, { eval: true, workerData: { file } });
        let settled = false;
        worker.once('message', (msg) => {
            settled = true;
            if (msg.error !== undefined)
                reject(new Error(msg.error));
            else
                resolve(msg.problems ?? []);
        });
        worker.once('error', (err) => {
            settled = true;
            reject(err);
        });
        worker.once('exit', (code) => {
            if (!settled)
                reject(new Error(`integrity check worker exited with code ${code}`));
        });
    });
}

;// CONCATENATED MODULE: ./src/core/sqlite-snapshot.ts
/**
 * Consistent online snapshot of a live SQLite database through SQLite's own
 * backup API (`node:sqlite` `backup()`), never a file copy.
 *
 * Strategy (measurements in docs/benchmarks.md and docs/backup.md):
 * - We open a read transaction on the source connection and keep it open for
 *   the whole backup. `sqlite3_backup_step` reuses an open read transaction
 *   instead of taking and dropping its own lock per step, so the pager never
 *   notices other connections' commits between steps and the copy never
 *   restarts: it finishes in one pass under steady writes, and the snapshot is
 *   exactly one committed state.
 * - WAL mode: the read transaction pins a snapshot; writers keep committing to
 *   the WAL, unaffected.
 * - Rollback-journal mode (the service's default): our shared lock makes a
 *   committing writer wait, which its busy timeout (Python's 5 s) covers as long
 *   as the copy is faster than that. Copies run at ~350+ MB/s here, so we warn
 *   when a database is large enough that the estimated copy time approaches the
 *   writers' busy timeout and suggest --stop-writers.
 * - 16 MiB steps: as fast as larger ones here, with progress every step.
 * The copy is then switched to journal_mode=DELETE so it is one self-contained
 * file, checked with PRAGMA integrity_check, and fsynced.
 */





/** Bytes per backup step: measured as fast as larger steps, with finer progress. */
const STEP_BYTES = 16 * 1024 * 1024;
/** How long we wait for a writer to let us take the read lock. */
const LOCK_WAIT_MS = 30_000;
/**
 * Copies a live database into `dest` (which must not exist) as one committed
 * state, through the backup API inside one held read transaction (see the
 * module comment), then makes the copy a self-contained DELETE-journal file and
 * fsyncs it. Used for snapshots and for restore's safety copies. Returns the
 * source's journal mode.
 */
async function copyConsistent(source, dest, opts = {}) {
    let src;
    try {
        src = new external_node_sqlite_.DatabaseSync(source, { timeout: LOCK_WAIT_MS });
    }
    catch (err) {
        throw new SnapshotError(`cannot open database ${source}: ${err.message}`, { cause: err });
    }
    let journalMode = 'unknown';
    try {
        journalMode = String(src.prepare('PRAGMA journal_mode').get().journal_mode);
        const pageSize = Number(src.prepare('PRAGMA page_size').get().page_size);
        // Taking the read lock now and holding it is what keeps the backup from restarting.
        src.exec('BEGIN');
        const pageCount = Number(src.prepare('PRAGMA page_count').get().page_count);
        const estSeconds = (pageCount * pageSize) / (350 * 1024 * 1024);
        if (journalMode !== 'wal' && estSeconds > 2.5) {
            opts.warn?.(`database is ${((pageCount * pageSize) / 1048576).toFixed(0)} MiB in ${journalMode} journal mode: writers wait up to ~${estSeconds.toFixed(1)} s for the snapshot; with a 5 s busy timeout consider --stop-writers or WAL mode`);
        }
        const rate = Math.max(1, Math.floor(STEP_BYTES / pageSize));
        await (0,external_node_sqlite_.backup)(src, dest, {
            rate,
            progress: ({ totalPages, remainingPages }) => {
                if (opts.signal?.aborted)
                    throw new CancelledError('backup cancelled');
                opts.onProgress?.((totalPages - remainingPages) * pageSize, totalPages * pageSize);
            },
        });
        opts.signal?.throwIfAborted();
    }
    catch (err) {
        await promises_default().rm(dest, { force: true });
        if (opts.signal?.aborted)
            throw new CancelledError('backup cancelled', { cause: err });
        if (err instanceof StorageOpsError)
            throw err;
        throw new SnapshotError(`SQLite backup of ${source} failed: ${err.message}`, { cause: err });
    }
    finally {
        try {
            if (src.isTransaction)
                src.exec('COMMIT');
        }
        catch { }
        src.close();
    }
    try {
        // A copy of a WAL database carries the WAL flag in its header; DELETE mode
        // makes it a single file that needs no -wal beside it.
        setJournalMode(dest, 'delete');
        await fsyncFile(dest);
    }
    catch (err) {
        await promises_default().rm(dest, { force: true });
        await promises_default().rm(`${dest}-journal`, { force: true });
        throw new SnapshotError(`finishing the copy of ${source} failed: ${err.message}`, { cause: err });
    }
    return { journalMode };
}
/** Snapshots `source` into `dest` (which must not exist), then checks and describes the copy. */
async function snapshotSqlite(source, dest, opts = {}) {
    await assertSqliteFile(source);
    const { journalMode } = await copyConsistent(source, dest, opts);
    try {
        // The integrity check (worker thread) overlaps with the facts and the hash.
        const integrity = integrityProblemsInWorker(dest);
        integrity.catch(() => { });
        const facts = readFacts(dest, journalMode);
        const { bytes, sha256 } = await hashFile(dest);
        const problems = await integrity;
        if (problems.length > 0) {
            throw new SnapshotError(`snapshot failed PRAGMA integrity_check: ${problems.slice(0, 3).join('; ')}`);
        }
        return { bytes, sha256, facts: { ...facts, integrityCheck: 'ok' } };
    }
    catch (err) {
        await promises_default().rm(dest, { force: true });
        await promises_default().rm(`${dest}-journal`, { force: true });
        if (err instanceof StorageOpsError)
            throw err;
        throw new SnapshotError(`checking the snapshot of ${source} failed: ${err.message}`, { cause: err });
    }
}
/** Manifest facts of the snapshot, read in one transaction. */
function readFacts(dest, sourceJournalMode) {
    const db = openReadOnly(dest);
    try {
        db.exec('BEGIN');
        const facts = collectFacts(db, sourceJournalMode);
        db.exec('COMMIT');
        return facts;
    }
    finally {
        db.close();
    }
}

;// CONCATENATED MODULE: ./src/core/verify.ts
/**
 * Full verification of a backup folder: manifest valid, every listed file
 * present as a regular file with its size and sha256, no unlisted files,
 * SQLite integrity, every JSONL line parses, meta file parses.
 */








/** Verifies the backup in `dir`; throws VerifyError naming the file and what differs. */
async function verifyBackupDir(dir, opts = {}) {
    const manifest = await readManifest(dir);
    const listed = new Set(manifest.files.map((f) => f.name));
    const entries = await promises_default().readdir(dir);
    for (const entry of entries.sort()) {
        if (entry !== MANIFEST_FILE && !listed.has(entry)) {
            throw new VerifyError(`${manifest.name}: unexpected file ${entry} is not listed in the manifest`);
        }
    }
    const files = [];
    for (const f of manifest.files) {
        const file = external_node_path_default().join(dir, f.name);
        let st;
        try {
            st = await promises_default().lstat(file);
        }
        catch {
            throw new VerifyError(`${manifest.name}: ${f.name} is missing`);
        }
        if (!st.isFile())
            throw new VerifyError(`${manifest.name}: ${f.name} is not a regular file (links are refused)`);
        if (st.size !== f.bytes) {
            throw new VerifyError(`${manifest.name}: ${f.name} has ${st.size} bytes, manifest says ${f.bytes}`);
        }
        if (opts.sqliteJustChecked && f.role === 'sqlite') {
            files.push({ name: f.name, bytes: f.bytes, sha256: f.sha256, checks: ['size'] });
            continue;
        }
        if (f.role === 'sqlite') {
            await assertSqliteFile(file, 'backup file').catch((err) => {
                throw new VerifyError(`${manifest.name}: ${err.message}`);
            });
        }
        // Integrity check (worker thread) and hashing (main thread) overlap.
        const integrity = f.role === 'sqlite' ? integrityProblemsInWorker(file) : Promise.resolve([]);
        integrity.catch(() => { });
        const { sha256 } = await hashFile(file, opts.onProgress);
        if (sha256 !== f.sha256) {
            throw new VerifyError(`${manifest.name}: ${f.name} sha256 ${sha256.slice(0, 12)}… differs from manifest ${f.sha256.slice(0, 12)}…`);
        }
        const checks = ['size', 'sha256'];
        if (f.role === 'sqlite') {
            let problems;
            try {
                problems = await integrity;
            }
            catch (err) {
                throw new VerifyError(`${manifest.name}: ${f.name} cannot be checked: ${err.message}`, {
                    cause: err,
                });
            }
            if (problems.length) {
                throw new VerifyError(`${manifest.name}: ${f.name} fails integrity_check: ${problems.slice(0, 3).join('; ')}`);
            }
            checks.push('integrity_check');
        }
        else if (f.role === 'runs') {
            await validateJsonl(file, (m) => new VerifyError(`${manifest.name}: ${m.replace(file, f.name)}`));
            checks.push('jsonl');
        }
        else {
            parseMeta(await promises_default().readFile(file), f.name, (m) => new VerifyError(`${manifest.name}: ${m}`));
            checks.push('meta');
        }
        files.push({ name: f.name, bytes: f.bytes, sha256: f.sha256, checks });
    }
    return { name: manifest.name, dir, manifest, files };
}

;// CONCATENATED MODULE: ./src/core/version.ts
/** The tool's version, recorded in every manifest. Keep in step with package.json. */
const TOOL_NAME = 'storage-ops';
const TOOL_VERSION = '0.1.0';

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(421);
;// CONCATENATED MODULE: ./src/core/checklist.ts
/**
 * The runbook's Validation Checklist: run shell commands, each in its own
 * process group, with a per-step timeout, optional fail-fast and parallelism.
 *
 * Every step is the leader of a fresh process group (`detached: true`), so a
 * timeout, a fail-fast cancel or SIGINT/SIGTERM can stop the step's whole tree
 * (`kill(-pid)`) - pytest workers, a uv-spawned python, a backgrounded helper -
 * and no orphan outlives the checklist.
 */



/** The runbook's four validation commands, in its order. */
const DEFAULT_CHECKLIST_STEPS = [
    'uv run python tools/check_contract_drift.py',
    'uv run pytest tests/test_story_analysis_store_factory.py',
    'uv run pytest tests/test_api_app.py',
    'uv run mkdocs build --strict',
];
/** The runbook's Rollback Policy checks. */
const DEFAULT_ROLLBACK_STEPS = [
    'uv run python tools/check_contract_drift.py',
    'uv run pytest tests/test_api_app.py',
];
const CHECKLIST_DEFAULTS = {
    /** pytest and mkdocs in a cold uv environment can take minutes. */
    timeoutMs: 900_000,
    killGraceMs: 5_000,
    parallel: 1,
    tailLines: 40,
    tailBytes: 4096,
};
/**
 * Parses a steps file: one command per line, blank lines and lines starting
 * with `#` ignored; or a JSON array of command strings.
 */
function parseStepsFile(text, flag = '--steps-file') {
    const body = text.replace(/^\uFEFF/, '');
    if (body.trimStart().startsWith('[')) {
        let parsed;
        try {
            parsed = JSON.parse(body);
        }
        catch (err) {
            throw new UsageError(`${flag}: looks like JSON but does not parse; expected an array of command strings`, {
                cause: err,
            });
        }
        if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string' && s.trim() !== '')) {
            throw new UsageError(`${flag}: JSON must be an array of non-empty command strings`);
        }
        return parsed.map((s) => s.trim());
    }
    const steps = body
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));
    return steps;
}
/** Validates checklist options; UsageErrors name the flag. */
function validateChecklistOptions(opts) {
    if (opts.steps.length === 0)
        throw new UsageError('--step/--steps-file: no steps to run');
    for (const s of opts.steps) {
        if (s.trim() === '')
            throw new UsageError('--step: a step must be a non-empty shell command');
    }
    const p = opts.parallel ?? 1;
    if (!Number.isInteger(p) || p < 1)
        throw new UsageError('--parallel: expected an integer >= 1');
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) {
        throw new UsageError('--timeout: expected a positive number of seconds');
    }
}
/** Keeps the most recent output within a byte budget, then cuts to lines. */
class Tail {
    budget;
    chunks = [];
    size = 0;
    constructor(budget) {
        this.budget = budget;
    }
    push(chunk) {
        this.chunks.push(chunk);
        this.size += chunk.length;
        while (this.size - this.chunks[0].length >= this.budget && this.chunks.length > 1) {
            this.size -= this.chunks.shift().length;
        }
    }
    text(maxLines, maxBytes) {
        let buf = Buffer.concat(this.chunks);
        if (buf.length > maxBytes)
            buf = buf.subarray(buf.length - maxBytes);
        let text = buf.toString('utf8').replace(/\r\n/g, '\n');
        if (text.endsWith('\n'))
            text = text.slice(0, -1);
        const lines = text.split('\n');
        return lines.slice(Math.max(0, lines.length - maxLines)).join('\n');
    }
}
/** Sends `sig` to a whole process group; false when the group is gone. */
function killGroup(pid, sig) {
    try {
        process.kill(-pid, sig);
        return true;
    }
    catch {
        return false;
    }
}
/**
 * True while a live (non-zombie) process is in the group. On Linux this reads
 * /proc, because `kill(-pgid, 0)` also counts zombies, and a container's init
 * may never reap a step's orphaned grandchildren.
 */
function groupAlive(pgid) {
    let entries;
    try {
        entries = (0,external_node_fs_.readdirSync)('/proc');
    }
    catch {
        try {
            process.kill(-pgid, 0);
            return true;
        }
        catch {
            return false;
        }
    }
    for (const e of entries) {
        if (!/^\d+$/.test(e))
            continue;
        let stat;
        try {
            stat = (0,external_node_fs_.readFileSync)(`/proc/${e}/stat`, 'latin1');
        }
        catch {
            continue;
        }
        // Fields after the command name, which may itself contain spaces and parens.
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X')
            return true;
    }
    return false;
}
const sleepMs = (ms) => new Promise((r) => setTimeout(r, ms));
/** Stops whatever is left of a group: SIGTERM, then SIGKILL after `grace`; resolves once it is gone. */
async function drainGroup(pgid, grace) {
    if (!groupAlive(pgid))
        return;
    killGroup(pgid, 'SIGTERM');
    const termUntil = performance.now() + grace;
    while (groupAlive(pgid) && performance.now() < termUntil)
        await sleepMs(20);
    if (!groupAlive(pgid))
        return;
    killGroup(pgid, 'SIGKILL');
    const killUntil = performance.now() + 5000;
    while (groupAlive(pgid) && performance.now() < killUntil)
        await sleepMs(20);
}
/**
 * Runs one shell command as the leader of a new process group and waits until
 * the group is gone. `stop` (or `signal`) ends it early with status `cancelled`.
 */
function runShellCommand(command, opts, signal) {
    const grace = opts.killGraceMs ?? CHECKLIST_DEFAULTS.killGraceMs;
    const tailLines = opts.tailLines ?? CHECKLIST_DEFAULTS.tailLines;
    const tailBytes = opts.tailBytes ?? CHECKLIST_DEFAULTS.tailBytes;
    const tail = new Tail(Math.max(tailBytes * 4, 64 * 1024));
    const startedAt = new Date();
    const t0 = performance.now();
    let reason = null;
    let killTimer;
    let pipeTimer;
    const child = (0,external_node_child_process_.spawn)(command, {
        shell: true,
        detached: true,
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid ?? null;
    const terminate = (why) => {
        if (reason !== null || pid === null)
            return;
        reason = why;
        killGroup(pid, 'SIGTERM');
        killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
    };
    const timer = setTimeout(() => terminate('timeout'), opts.timeoutMs);
    const onAbort = () => terminate('cancel');
    if (signal) {
        if (signal.aborted)
            queueMicrotask(onAbort);
        else
            signal.addEventListener('abort', onAbort, { once: true });
    }
    child.stdout?.on('data', (c) => tail.push(c));
    child.stderr?.on('data', (c) => tail.push(c));
    const done = new Promise((resolve) => {
        let spawnError = null;
        let exit = null;
        child.on('error', (err) => {
            spawnError = err;
        });
        child.on('exit', (code, sig) => {
            exit = { code, sig };
            clearTimeout(timer);
            // The shell is gone; anything it left running in its group (a
            // backgrounded server, a stuck worker) would hold our pipes open and
            // outlive the checklist, so stop the rest of the group too.
            if (pid !== null && groupAlive(pid)) {
                killGroup(pid, 'SIGTERM');
                if (!killTimer)
                    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
            }
            // A process that left the group (setsid) may still hold our pipes; stop
            // waiting for it to close them.
            pipeTimer = setTimeout(() => {
                child.stdout?.destroy();
                child.stderr?.destroy();
            }, grace + 2000);
        });
        child.on('close', (code, sig) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            // Pipes can close while a member that redirected its output lives on.
            const drained = pid === null ? Promise.resolve() : drainGroup(pid, grace);
            void drained.then(() => {
                if (killTimer)
                    clearTimeout(killTimer);
                if (pipeTimer)
                    clearTimeout(pipeTimer);
                settle(code, sig);
            });
        });
        const settle = (code, sig) => {
            const finishedAt = new Date();
            const e = exit ?? { code, sig };
            let status;
            let message = '';
            if (reason === 'timeout') {
                status = 'timed-out';
                message = `timed out after ${Math.round(opts.timeoutMs / 100) / 10} s; its process group was stopped`;
            }
            else if (reason === 'cancel') {
                status = 'cancelled';
                message = 'cancelled; its process group was stopped';
            }
            else if (spawnError) {
                status = 'failed';
                message = `could not start: ${spawnError.message}`;
            }
            else if (e.code === 0) {
                status = 'passed';
            }
            else {
                status = 'failed';
                message = e.sig ? `killed by ${e.sig}` : `exited with code ${e.code}`;
            }
            resolve({
                status,
                exitCode: e.code,
                signal: e.sig,
                pid,
                startedAt: startedAt.toISOString(),
                finishedAt: finishedAt.toISOString(),
                durationMs: Math.round(performance.now() - t0),
                outputTail: tail.text(tailLines, tailBytes),
                message,
            });
        };
    });
    return { pid, done, stop: () => terminate('cancel') };
}
/**
 * Runs the checklist. Never throws for failing steps: the result says what
 * passed. When `signal` aborts, every running step's group is stopped, steps
 * not yet started are `skipped`, and the result has `cancelled: true` - it
 * resolves only after every group is gone.
 */
async function runChecklist(opts, logger, signal) {
    validateChecklistOptions(opts);
    const parallel = Math.min(opts.parallel ?? CHECKLIST_DEFAULTS.parallel, opts.steps.length);
    const timeoutMs = opts.timeoutMs ?? CHECKLIST_DEFAULTS.timeoutMs;
    const t0 = performance.now();
    const results = opts.steps.map((command, i) => ({
        index: i + 1,
        command,
        status: 'skipped',
        exitCode: null,
        signal: null,
        pid: null,
        startedAt: null,
        finishedAt: null,
        durationMs: 0,
        outputTail: '',
        message: 'not run',
    }));
    const running = new Map();
    let next = 0;
    let stopping = false;
    let failedFast = false;
    const stopAll = () => {
        for (const r of running.values())
            r.stop();
    };
    const onAbort = () => {
        if (stopping)
            return;
        stopping = true;
        logger.warn(`checklist interrupted: stopping ${running.size} running step(s)`);
        stopAll();
    };
    if (signal?.aborted)
        onAbort();
    else
        signal?.addEventListener('abort', onAbort, { once: true });
    const worker = async () => {
        while (!stopping && next < opts.steps.length) {
            const i = next++;
            const command = opts.steps[i];
            logger.info(`step ${i + 1}/${opts.steps.length}: ${command}`);
            const handle = runShellCommand(command, {
                cwd: opts.cwd,
                timeoutMs,
                killGraceMs: opts.killGraceMs,
                env: opts.env,
                tailLines: opts.tailLines,
                tailBytes: opts.tailBytes,
            }, undefined);
            running.set(i, handle);
            const r = await handle.done;
            running.delete(i);
            results[i] = { index: i + 1, command, ...r };
            if (r.status === 'passed') {
                logger.info(`step ${i + 1} passed in ${(r.durationMs / 1000).toFixed(1)} s`);
            }
            else {
                logger.error(`step ${i + 1} ${r.status}: ${r.message}`);
                if (opts.failFast && !stopping && (r.status === 'failed' || r.status === 'timed-out')) {
                    stopping = true;
                    failedFast = true;
                    logger.warn('fail-fast: stopping the other steps');
                    stopAll();
                }
            }
        }
    };
    try {
        await Promise.all(Array.from({ length: parallel }, () => worker()));
    }
    finally {
        signal?.removeEventListener('abort', onAbort);
    }
    const cancelled = signal?.aborted === true;
    for (const r of results) {
        if (r.status === 'skipped') {
            r.message = cancelled ? 'not run: the checklist was interrupted' : failedFast ? 'not run: fail-fast' : 'not run';
        }
    }
    return {
        ok: !cancelled && results.every((r) => r.status === 'passed'),
        cancelled,
        steps: results,
        durationMs: Math.round(performance.now() - t0),
    };
}

;// CONCATENATED MODULE: ./src/core/writers.ts
/**
 * The runbook's "stop writers ... restart writers" around a snapshot or a
 * restore. Once the stop command has been started, the start command always
 * runs: after success, after a failure, and after SIGINT/SIGTERM (the adapters
 * turn signals into an aborted AbortSignal and wait for this to finish).
 */


/** Without a timeout a writer command may take as long as it needs (the longest timer Node allows). */
const NO_LIMIT_MS = 2 ** 31 - 1;
/**
 * Runs one shell command in its own process group through the checklist's
 * runner (the whole group is stopped on timeout, nothing is left behind) and
 * logs the tail of its output.
 */
async function runShell(command, opts) {
    const { done } = runShellCommand(command, {
        cwd: opts.cwd ?? process.cwd(),
        env: opts.env,
        timeoutMs: opts.timeoutMs ?? NO_LIMIT_MS,
    });
    const r = await done;
    for (const line of r.outputTail.split(/\r?\n/))
        if (line)
            opts.logger.info(`[${opts.label}] ${line}`);
    if (r.status === 'passed')
        return;
    if (r.status === 'timed-out')
        throw new CommandError(`${opts.label} timed out after ${opts.timeoutMs} ms: ${command}`);
    if (r.exitCode === null && r.signal === null)
        throw new CommandError(`${opts.label} ${r.message}`);
    throw new CommandError(`${opts.label} failed (${r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`}): ${command}`);
}
/**
 * Runs `fn` with writers stopped. Guarantees the start command runs once the
 * stop command was started, whatever happens; reports a start failure without
 * hiding the original error.
 */
async function withWritersStopped(cmds, opts, fn) {
    if (!cmds.stop && !cmds.start)
        return fn();
    let stopStarted = false;
    let result;
    try {
        if (cmds.stop) {
            opts.signal?.throwIfAborted();
            stopStarted = true;
            opts.logger.info(`stopping writers: ${cmds.stop}`);
            await runShell(cmds.stop, { ...opts, label: 'stop-writers' });
        }
        opts.signal?.throwIfAborted();
        result = { ok: true, value: await fn() };
    }
    catch (err) {
        result = {
            ok: false,
            error: opts.signal?.aborted && !(err instanceof StorageOpsError)
                ? new CancelledError(`cancelled (${String(opts.signal.reason)})`, { cause: err })
                : err,
        };
    }
    if (cmds.start && (stopStarted || !cmds.stop)) {
        opts.logger.info(`starting writers: ${cmds.start}`);
        try {
            // Deliberately not tied to the abort signal: writers must come back.
            await runShell(cmds.start, { ...opts, label: 'start-writers' });
        }
        catch (err) {
            if (result.ok) {
                throw new CommandError(`the operation succeeded but start-writers failed: ${oneLine(err)}`, { cause: err });
            }
            opts.logger.error(`start-writers failed too: ${oneLine(err)}`);
        }
    }
    if (!result.ok)
        throw result.error;
    return result.value;
}

;// CONCATENATED MODULE: ./src/core/backup.ts
/**
 * The backup executor: snapshot the backend's files into a staging folder of
 * the store (writers optionally stopped), write the manifest, verify the whole
 * backup, then publish it. A backup that did not verify is never published.
 */
















/** Checks that the backend's source files exist before writers are stopped. */
async function preflightSources(config) {
    for (const f of config.files) {
        try {
            await promises_default().access(f.path, (promises_default()).constants.R_OK);
        }
        catch (err) {
            const what = f.role === 'sqlite' ? 'database' : f.role === 'runs' ? 'runs file' : 'meta file';
            const code = err.code;
            throw new InputError(code === 'ENOENT'
                ? `${what} ${f.path} does not exist (backend ${config.backend}; set --db-path or STORY_GEN_DB_PATH)`
                : `${what} ${f.path} is not readable by this user (${code}); run storage-ops as a user that can read it`, { cause: err });
        }
    }
}
/** Makes, verifies and publishes one backup. */
async function runBackup(opts) {
    const { config, store, logger } = opts;
    const started = performance.now();
    const now = opts.now ?? (() => new Date());
    const prefix = opts.prefix ? validatePrefix(opts.prefix) : defaultPrefix(dbStem(config.dbPath), config.backend);
    await preflightSources(config);
    let createdAt = now();
    let name = backupName(prefix, createdAt);
    // Two backups in the same millisecond (or a clock that stepped back) still get
    // distinct names: the store refuses a taken name (NameTakenError, below) and
    // we take the next millisecond. Asking the store for the name itself is one
    // cheap lookup, where listing every backup first would page through them all.
    let staging;
    for (let attempt = 0; staging === undefined; attempt++) {
        try {
            staging = await store.createStaging(name);
        }
        catch (err) {
            if (!(err instanceof NameTakenError) || attempt >= 1000)
                throw err;
            createdAt = new Date(createdAt.getTime() + 1);
            name = backupName(prefix, createdAt);
        }
    }
    logger.info(`backing up ${config.backend} data from ${config.dbPath} as ${name}`);
    const linked = await promises_default().realpath(config.dbPath).catch(() => null);
    if (linked && linked !== external_node_path_default().resolve(config.dbPath)) {
        logger.info(`--db-path: ${config.dbPath} is a link to ${linked}; backing up the real file (recorded in the manifest)`);
    }
    // Where the bytes land: the store folder for a local store (staging sits in <store>/.staging).
    const parent = external_node_path_default().dirname(staging);
    const spaceDir = external_node_path_default().basename(parent) === '.staging' ? external_node_path_default().dirname(parent) : parent;
    let needed = 0;
    try {
        for (const f of config.files)
            needed += (await promises_default().stat(f.path)).size;
        await faultPoint('backup:staging-created', opts.signal);
        await ensureSpace(spaceDir, needed, 'the backup');
        const files = await withWritersStopped(opts.writers ?? {}, { cwd: opts.cwd, env: opts.env, logger, signal: opts.signal }, async () => {
            await faultPoint('backup:writers-stopped', opts.signal);
            return snapshotFiles(config, staging, logger, opts.signal);
        });
        await faultPoint('backup:snapshot-done', opts.signal);
        const schemaVersion = files.find((f) => f.sqlite)?.sqlite?.analysisSchemaVersion ??
            files.find((f) => f.meta)?.meta?.schemaVersion ??
            null;
        const dbRealPath = await promises_default().realpath(config.dbPath).catch(() => config.dbPath);
        const manifest = {
            formatVersion: MANIFEST_FORMAT,
            tool: { name: TOOL_NAME, version: TOOL_VERSION },
            name,
            backend: config.backend,
            createdAt: createdAt.toISOString(),
            source: {
                dbPath: config.dbPath,
                host: external_node_os_default().hostname(),
                ...(dbRealPath !== external_node_path_default().resolve(config.dbPath) ? { dbRealPath } : {}),
            },
            schemaVersion,
            files,
            bytes: files.reduce((n, f) => n + f.bytes, 0),
            durationMs: Math.round(performance.now() - started),
        };
        await writeManifest(staging, manifest);
        opts.signal?.throwIfAborted();
        await logger.group('verify', async () => {
            // A SQLite snapshot's sha256 and integrity_check were computed by reading
            // the written file back; reading it a second time proves nothing more.
            // Everything else is checked in full, and the folder must match its
            // manifest exactly. `verify` and every restore re-check all contents.
            await verifyBackupDir(staging, { sqliteJustChecked: true });
            logger.info(`verified ${name}: sizes, sha256, ${config.backend === 'sqlite' ? 'integrity_check' : 'JSONL lines and meta'} ok; the folder matches its manifest`);
        });
        await faultPoint('backup:before-publish', opts.signal);
        opts.signal?.throwIfAborted();
        const stored = await store.publish(name, staging, manifest);
        const durationMs = Math.round(performance.now() - started);
        logger.info(`published ${name} (${manifest.bytes} bytes) to ${store.describe()} in ${durationMs} ms`);
        return { name, manifest, stored, durationMs };
    }
    catch (err) {
        await store.discardStaging(staging);
        if (isDiskFull(err))
            throw await diskFullError(spaceDir, 'the backup', needed, err);
        if (opts.signal?.aborted && !(err instanceof CancelledError)) {
            throw new CancelledError(`backup cancelled (${String(opts.signal.reason)}); nothing was published`, {
                cause: err,
            });
        }
        if (err instanceof StorageOpsError)
            throw err;
        throw new StoreError(`backup ${name} failed: ${err.message}`, { cause: err });
    }
}
/** Snapshots every file of the backend into `dir`. */
async function snapshotFiles(config, dir, logger, signal) {
    const out = [];
    const warn = (m) => logger.warn(m);
    for (const f of config.files) {
        signal?.throwIfAborted();
        const name = external_node_path_default().basename(f.path);
        const dest = external_node_path_default().join(dir, name);
        const onProgress = throttledProgress(`copy ${name}`, (l) => logger.info(l));
        if (f.role === 'sqlite') {
            const r = await snapshotSqlite(f.path, dest, { onProgress, signal, warn });
            logger.info(`${name}: ${r.bytes} bytes, ${r.facts.pageCount} pages, journal ${r.facts.sourceJournalMode}, integrity ok`);
            out.push({ name, role: f.role, source: f.path, bytes: r.bytes, sha256: r.sha256, sqlite: r.facts });
        }
        else if (f.role === 'runs') {
            const r = await snapshotJsonl(f.path, dest, { onProgress, signal, warn });
            logger.info(`${name}: ${r.facts.lines} lines, ${r.bytes} bytes${r.facts.tornBytes ? `, ${r.facts.tornBytes} torn bytes left out` : ''}`);
            out.push({ name, role: f.role, source: f.path, bytes: r.bytes, sha256: r.sha256, jsonl: r.facts });
        }
        else {
            const r = await snapshotMeta(f.path, dest);
            logger.info(`${name}: schema_version ${r.facts.schemaVersion}`);
            out.push({ name, role: f.role, source: f.path, bytes: r.bytes, sha256: r.sha256, meta: r.facts });
        }
    }
    return out;
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(975);
;// CONCATENATED MODULE: ./src/cli/command.ts
/**
 * The CLI's command contract and argument parsing. Each command lives in its own
 * file under `commands/` and is listed in `commands/index.ts`.
 */


/** Parses argv for one command; unknown flags and missing values become UsageErrors naming the flag. */
function parseCommandArgs(cmd, argv) {
    try {
        const { values, positionals } = (0,external_node_util_.parseArgs)({
            args: argv,
            options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
            allowPositionals: true,
            strict: true,
        });
        return { values: values, positionals };
    }
    catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
        const known = Object.keys(cmd.options)
            .map((k) => `--${k}`)
            .join(', ');
        if (/Unknown option/.test(msg)) {
            throw new UsageError(`${flag ?? 'option'}: unknown option for "${cmd.name}"; valid options: ${known}`, {
                cause: err,
            });
        }
        if (/argument is ambiguous/.test(msg) && flag) {
            throw new UsageError(`${flag}: its value starts with "-" and reads as a flag; write it as ${flag}=VALUE (see storage-ops ${cmd.name} --help for the values it accepts)`, { cause: err });
        }
        if (/argument missing/.test(msg) && flag) {
            throw new UsageError(`${flag}: a value is required (see storage-ops ${cmd.name} --help)`, { cause: err });
        }
        throw new UsageError(`${cmd.name}: ${msg.split('\n')[0]}`, { cause: err });
    }
}
function str(values, name, required = false) {
    const v = values[name];
    if (Array.isArray(v))
        return str({ [name]: v[v.length - 1] }, name, required);
    if (typeof v === 'string') {
        if (v === '' && required)
            throw new UsageError(`--${name}: must not be empty`);
        return v;
    }
    if (required)
        throw new UsageError(`--${name}: required`);
    return undefined;
}
/** Reads a repeatable string flag. */
function strs(values, name) {
    const v = values[name];
    if (v === undefined)
        return [];
    return (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string');
}
/** Reads a boolean flag. */
function bool(values, name) {
    return values[name] === true;
}
/** Parses a non-negative integer flag, naming the flag in the error. */
function command_int(values, name, opts = {}) {
    const raw = str(values, name);
    if (raw === undefined)
        return undefined;
    const min = opts.min ?? 0;
    if (!/^-?\d+$/.test(raw.trim())) {
        throw new UsageError(`--${name}: "${raw}" is not a whole number; expected an integer >= ${min}`);
    }
    const n = Number(raw.trim());
    if (n < min || (opts.max !== undefined && n > opts.max)) {
        const range = opts.max !== undefined ? `from ${min} to ${opts.max}` : `>= ${min}`;
        throw new UsageError(`--${name}: ${n} is out of range; expected an integer ${range}`);
    }
    return n;
}
/** Parses a seconds flag (decimal allowed), naming the flag in the error. */
function seconds(values, name) {
    const raw = str(values, name);
    if (raw === undefined)
        return undefined;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(n) || n <= 0) {
        throw new UsageError(`--${name}: "${raw}" is not a duration in seconds; expected a positive number`);
    }
    return n;
}
/** Serialises a result as the one JSON document on stdout. */
function jsonOut(ctx, doc) {
    ctx.out(JSON.stringify(doc, null, 2) + '\n');
}

;// CONCATENATED MODULE: ./src/core/pid.ts
/** True when a process with this pid runs on this host (EPERM: it exists but is not ours). */
function pidAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return err.code === 'EPERM';
    }
}

;// CONCATENATED MODULE: ./src/stores/local-store.ts
/**
 * A backups folder on local disk (the runbook's `backups/`).
 *
 * Layout:
 *   <dir>/<name>/                 complete, verified backups (manifest.json + files)
 *   <dir>/.staging/<name>/        backups being written; <name>.owner holds the writer's pid
 *   <dir>/.trash/<name>.<rand>/   backups being deleted
 * Only non-hidden folders with a valid manifest are backups, so a crash at any
 * point leaves nothing half-written or half-deleted that `list` shows as valid.
 * Publishing is one rename; deleting renames out of the namespace first, then
 * removes, and any later mutating call finishes what a killed run left.
 *
 * `<dir>/.lock` (created with O_EXCL, holding pid, host, purpose and time)
 * serialises the steps that change the namespace: reserving a staging name,
 * publishing, and a whole prune. So a prune never deletes while a backup
 * publishes, and two prunes never interleave. Snapshots themselves run
 * outside the lock, so concurrent backups only wait for each other's rename.
 * A lock whose holder pid is dead on this host is taken over.
 */










const STAGING = '.staging';
const TRASH = '.trash';
const LOCK = '.lock';
/** How long a lock file may stay empty or unreadable (being written) before it counts as stale. */
const UNREADABLE_LOCK_GRACE_MS = 5000;
/** Default wait for the store lock. */
const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
class LocalStore {
    dir;
    opts;
    /** @param dir the backups folder; created on first write. */
    constructor(dir, opts = {}) {
        if (!dir)
            throw new UsageError('--store: required; expected a folder path for backups');
        this.dir = external_node_path_default().resolve(dir);
        this.opts = opts;
    }
    /** Path of the store lock file. */
    get lockPath() {
        return external_node_path_default().join(this.dir, LOCK);
    }
    /**
     * Runs `fn` holding the store lock. Waits (up to the lock timeout) while
     * another live run holds it; takes over a lock whose holder died.
     * A store folder that does not exist yet needs no lock for reading steps,
     * so `fn` then runs without creating it.
     */
    async withLock(purpose, fn) {
        const st = await promises_default().stat(this.dir).catch(() => null);
        if (!st)
            return fn();
        const nonce = await this.acquireLock(purpose);
        try {
            return await fn();
        }
        finally {
            await this.releaseLock(nonce);
        }
    }
    async acquireLock(purpose) {
        const timeoutMs = this.opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
        const deadline = Date.now() + timeoutMs;
        const nonce = (0,external_node_crypto_.randomBytes)(8).toString('hex');
        const mine = { pid: process.pid, host: external_node_os_default().hostname(), purpose, since: new Date().toISOString(), nonce };
        const text = JSON.stringify(mine) + '\n';
        let told = false;
        let waits = 0;
        for (;;) {
            try {
                const handle = await promises_default().open(this.lockPath, 'wx', 0o644);
                try {
                    await handle.writeFile(text);
                    await handle.sync();
                }
                finally {
                    await handle.close();
                }
                return nonce;
            }
            catch (err) {
                if (err.code !== 'EEXIST') {
                    throw new StoreError(`cannot create the store lock ${this.lockPath}: ${err.message}`, {
                        cause: err,
                    });
                }
            }
            const raw = await promises_default().readFile(this.lockPath, 'utf8').catch(() => null);
            if (raw === null)
                continue; // released between our open and read
            const holder = parseHolder(raw);
            if (await this.isStale(holder)) {
                if (await this.takeOver(raw, text))
                    return nonce;
                continue;
            }
            const who = holder
                ? `pid ${holder.pid} on ${holder.host} (${holder.purpose} since ${holder.since})`
                : 'an unreadable lock file';
            if (Date.now() >= deadline) {
                throw new LockError(`store ${this.dir} is locked by ${who}; gave up after ${timeoutMs / 1000} s (--lock-timeout); if that run is gone, delete ${this.lockPath}`);
            }
            if (this.opts.signal?.aborted)
                throw new CancelledError(`cancelled while waiting for the lock of ${this.dir}`);
            if (!told) {
                told = true;
                this.opts.onWait?.(`waiting for the store lock ${this.lockPath} held by ${who}`);
            }
            // Short holds (reserve, publish) end within milliseconds: poll fast first, then back off.
            waits += 1;
            const step = Math.min(100, 2 ** Math.min(waits, 7));
            await new Promise((r) => setTimeout(r, step + Math.floor(Math.random() * step)));
        }
    }
    async isStale(holder) {
        if (!holder) {
            // Empty or garbled: a holder between create and write, or a run killed right then.
            const st = await promises_default().stat(this.lockPath).catch(() => null);
            return st !== null && Date.now() - st.mtimeMs > UNREADABLE_LOCK_GRACE_MS;
        }
        return holder.host === external_node_os_default().hostname() && !pidAlive(holder.pid);
    }
    /**
     * Replaces a stale lock with ours. Takeovers are serialised by a second
     * O_EXCL file held only for the re-check and the rename, so two runs that
     * both saw the same dead holder cannot both win.
     */
    async takeOver(staleRaw, text) {
        const mutex = `${this.lockPath}.takeover`;
        try {
            await promises_default().writeFile(mutex, `${process.pid}\n${external_node_os_default().hostname()}\n`, { flag: 'wx' });
        }
        catch (err) {
            if (err.code !== 'EEXIST')
                throw err;
            const [pidText, host] = (await promises_default().readFile(mutex, 'utf8').catch(() => '')).split('\n');
            const st = await promises_default().stat(mutex).catch(() => null);
            const dead = host === external_node_os_default().hostname() && !pidAlive(Number(pidText));
            if (st && (dead || Date.now() - st.mtimeMs > UNREADABLE_LOCK_GRACE_MS))
                await promises_default().rm(mutex, { force: true });
            return false;
        }
        try {
            const now = await promises_default().readFile(this.lockPath, 'utf8').catch(() => null);
            if (now !== staleRaw)
                return false;
            const fresh = `${this.lockPath}.${process.pid}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.new`;
            await promises_default().writeFile(fresh, text, { flag: 'wx' });
            await promises_default().rename(fresh, this.lockPath);
            await fsyncDir(this.dir);
            this.opts.onWait?.(`took over a stale store lock (${oneLineHolder(staleRaw)})`);
            return true;
        }
        finally {
            await promises_default().rm(mutex, { force: true });
        }
    }
    async releaseLock(nonce) {
        const raw = await promises_default().readFile(this.lockPath, 'utf8').catch(() => null);
        if (raw !== null && parseHolder(raw)?.nonce === nonce)
            await promises_default().rm(this.lockPath, { force: true });
    }
    describe() {
        return `local folder ${this.dir}`;
    }
    /**
     * Refuses a store folder that is itself a symbolic link (a backups folder
     * silently pointing somewhere else is how backups end up on the wrong disk)
     * or that is not a folder. Links higher up the path are fine.
     */
    async checkRoot() {
        const st = await promises_default().lstat(this.dir).catch(() => null);
        if (!st)
            return false;
        if (st.isSymbolicLink()) {
            const to = await promises_default().readlink(this.dir).catch(() => '?');
            throw new UsageError(`--store: ${this.dir} is a symbolic link to ${external_node_path_default().resolve(external_node_path_default().dirname(this.dir), to)}; give the real folder path`);
        }
        if (!st.isDirectory())
            throw new UsageError(`--store: ${this.dir} exists and is not a folder`);
        return true;
    }
    async ensureDirs() {
        await this.checkRoot();
        try {
            await promises_default().mkdir(external_node_path_default().join(this.dir, STAGING), { recursive: true });
            await promises_default().mkdir(external_node_path_default().join(this.dir, TRASH), { recursive: true });
        }
        catch (err) {
            if (err instanceof StorageOpsError)
                throw err;
            throw new StoreError(`cannot create backups folder ${this.dir}: ${err.message}`, { cause: err });
        }
    }
    /**
     * Removes what killed runs left: trash (always safe to finish deleting) and
     * staging folders whose owner process is gone.
     */
    async cleanup() {
        let trash = 0;
        let staging = 0;
        for (const entry of await promises_default().readdir(external_node_path_default().join(this.dir, TRASH)).catch(() => [])) {
            await promises_default().rm(external_node_path_default().join(this.dir, TRASH, entry), { recursive: true, force: true });
            trash += 1;
        }
        const stagingDir = external_node_path_default().join(this.dir, STAGING);
        const entries = await promises_default().readdir(stagingDir).catch(() => []);
        for (const entry of entries) {
            if (!entry.endsWith('.owner'))
                continue;
            const owner = await promises_default().readFile(external_node_path_default().join(stagingDir, entry), 'utf8').catch(() => '');
            const [pidText, host] = owner.split('\n');
            const pid = Number(pidText);
            if (host === external_node_os_default().hostname() && Number.isInteger(pid) && pid > 0 && pidAlive(pid))
                continue;
            if (host !== external_node_os_default().hostname() && host !== undefined && host !== '')
                continue;
            const name = entry.slice(0, -'.owner'.length);
            await promises_default().rm(external_node_path_default().join(stagingDir, name), { recursive: true, force: true });
            await promises_default().rm(external_node_path_default().join(stagingDir, entry), { force: true });
            staging += 1;
        }
        // Staging folders with no owner file: the owner file is written first, so
        // these come from a run killed between the two steps of discard.
        for (const entry of entries) {
            if (entry.endsWith('.owner') || entries.includes(`${entry}.owner`))
                continue;
            await promises_default().rm(external_node_path_default().join(stagingDir, entry), { recursive: true, force: true });
            staging += 1;
        }
        return { trash, staging };
    }
    async createStaging(name) {
        validateBackupName(name, 'backup name');
        await this.ensureDirs();
        return this.withLock('backup', () => this.reserve(name));
    }
    async reserve(name) {
        await this.cleanup();
        if (await this.has(name))
            throw new NameTakenError(`backup ${name} already exists in ${this.dir}`);
        const owner = external_node_path_default().join(this.dir, STAGING, `${name}.owner`);
        try {
            await promises_default().writeFile(owner, `${process.pid}\n${external_node_os_default().hostname()}\n`, { flag: 'wx' });
        }
        catch (err) {
            if (err.code === 'EEXIST') {
                throw new NameTakenError(`backup name ${name} is being written by another run`, { cause: err });
            }
            throw new StoreError(`cannot reserve ${owner}: ${err.message}`, { cause: err });
        }
        const dir = external_node_path_default().join(this.dir, STAGING, name);
        await promises_default().mkdir(dir);
        return dir;
    }
    async publish(name, stagingDir, manifest) {
        await this.ensureDirs();
        return this.withLock('backup publish', () => this.publishLocked(name, stagingDir, manifest));
    }
    async publishLocked(name, stagingDir, manifest) {
        const target = external_node_path_default().join(this.dir, name);
        if (await this.has(name))
            throw new NameTakenError(`backup ${name} already exists in ${this.dir}`);
        try {
            await promises_default().rename(stagingDir, target);
        }
        catch (err) {
            const code = err.code;
            if (code === 'ENOTEMPTY' || code === 'EEXIST') {
                throw new NameTakenError(`backup ${name} already exists in ${this.dir}`, { cause: err });
            }
            throw new StoreError(`cannot publish ${name} into ${this.dir}: ${err.message}`, { cause: err });
        }
        await fsyncDir(this.dir);
        await faultPointNoAbort('store:published', this.opts.signal);
        await promises_default().rm(external_node_path_default().join(this.dir, STAGING, `${name}.owner`), { force: true });
        return toStored(manifest);
    }
    async discardStaging(stagingDir) {
        const name = external_node_path_default().basename(stagingDir);
        await promises_default().rm(stagingDir, { recursive: true, force: true }).catch(() => { });
        await promises_default().rm(external_node_path_default().join(this.dir, STAGING, `${name}.owner`), { force: true }).catch(() => { });
    }
    async has(name) {
        return promises_default().lstat(external_node_path_default().join(this.dir, name)).then(() => true, () => false);
    }
    async list() {
        let entries;
        if (!(await this.checkRoot()))
            return [];
        try {
            entries = await promises_default().readdir(this.dir, { withFileTypes: true });
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return [];
            throw new StoreError(`cannot list ${this.dir}: ${err.message}`, { cause: err });
        }
        const out = [];
        for (const e of entries) {
            if (!e.isDirectory() || e.name.startsWith('.'))
                continue;
            try {
                const m = await readManifest(external_node_path_default().join(this.dir, e.name));
                if (m.name !== e.name)
                    continue;
                out.push(toStored(m));
            }
            catch {
                // Not a complete backup of ours: never listed.
            }
        }
        return sortNewestFirst(out);
    }
    async open(name) {
        validateBackupName(name);
        await this.checkRoot();
        const dir = external_node_path_default().join(this.dir, name);
        const st = await promises_default().lstat(dir).catch(() => null);
        if (!st || !st.isDirectory())
            throw new NotFoundError(`--backup: no backup named ${name} in ${this.dir}`);
        const m = await readManifest(dir).catch(() => null);
        if (m && m.name !== name) {
            throw new UsageError(`--backup: folder ${dir} holds backup ${m.name}, not ${name} (a copied or renamed folder); give a name from 'list'`);
        }
        return { name, dir, release: async () => { } };
    }
    async remove(name) {
        validateBackupName(name);
        const dir = external_node_path_default().join(this.dir, name);
        if (!(await this.has(name)))
            return;
        await promises_default().mkdir(external_node_path_default().join(this.dir, TRASH), { recursive: true });
        const trashed = external_node_path_default().join(this.dir, TRASH, `${name}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}`);
        try {
            await promises_default().rename(dir, trashed);
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return;
            throw new StoreError(`cannot remove ${name} from ${this.dir}: ${err.message}`, { cause: err });
        }
        await fsyncDir(this.dir);
        await faultPointNoAbort('store:trashed', this.opts.signal);
        await promises_default().rm(trashed, { recursive: true, force: true });
    }
}
function parseHolder(raw) {
    try {
        const h = JSON.parse(raw);
        if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.nonce !== 'string')
            return null;
        return {
            pid: h.pid,
            host: h.host,
            purpose: String(h.purpose ?? '?'),
            since: String(h.since ?? '?'),
            nonce: h.nonce,
        };
    }
    catch {
        return null;
    }
}
function oneLineHolder(raw) {
    const h = parseHolder(raw);
    return h ? `pid ${h.pid} on ${h.host}, ${h.purpose} since ${h.since}` : 'unreadable';
}
/** Newest first; same instant ordered by name (descending) so output never depends on input order. */
function sortNewestFirst(items) {
    return items.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}
function toStored(m) {
    return { name: m.name, createdAt: m.createdAt, backend: m.backend, bytes: m.bytes, verified: true };
}

;// CONCATENATED MODULE: ./src/cli/store-flags.ts
/** `--store` and `--lock-timeout` for the commands that change a local store. */



const STORE_LOCK_FLAGS = {
    'lock-timeout': { type: 'string' },
};
const STORE_LOCK_USAGE = `[--lock-timeout S (default ${DEFAULT_LOCK_TIMEOUT_MS / 1000})]`;
/** A LocalStore that waits up to --lock-timeout for the store lock and says so in the log. */
function lockingStoreFromFlags(values, ctx) {
    const timeout = seconds(values, 'lock-timeout');
    return new LocalStore(external_node_path_default().resolve(ctx.cwd, str(values, 'store', true)), {
        lockTimeoutMs: timeout !== undefined ? Math.round(timeout * 1000) : DEFAULT_LOCK_TIMEOUT_MS,
        onWait: (m) => ctx.logger.info(m),
        signal: ctx.signal,
    });
}

;// CONCATENATED MODULE: ./src/cli/commands/backup.ts




/** `storage-ops backup`: snapshot, verify and store one backup. */
const backupCommand = {
    name: 'backup',
    summary: 'Take a consistent, verified backup of the configured backend into a local store',
    usage: 'backup --store DIR [--db-path P] [--backend sqlite|mongo-prototype|graph-prototype] [--prefix P] [--stop-writers CMD] [--start-writers CMD] ' +
        `${STORE_LOCK_USAGE} [--json]`,
    options: {
        store: { type: 'string' },
        'db-path': { type: 'string' },
        backend: { type: 'string' },
        prefix: { type: 'string' },
        'stop-writers': { type: 'string' },
        'start-writers': { type: 'string' },
        json: { type: 'boolean' },
        ...STORE_LOCK_FLAGS,
    },
    async run(values, _positionals, ctx) {
        const store = lockingStoreFromFlags(values, ctx);
        const config = resolveConfig(ctx.env, { backend: str(values, 'backend'), dbPath: str(values, 'db-path') }, ctx.cwd);
        const result = await runBackup({
            config,
            store,
            prefix: str(values, 'prefix'),
            writers: { stop: str(values, 'stop-writers'), start: str(values, 'start-writers') },
            logger: ctx.logger,
            signal: ctx.signal,
            cwd: ctx.cwd,
            env: ctx.env,
        });
        const dir = `${store.dir}/${result.name}`;
        if (bool(values, 'json'))
            jsonOut(ctx, { name: result.name, path: dir, manifest: result.manifest });
        else
            ctx.out(`${result.name}\t${dir}\n`);
        return 0;
    },
};

;// CONCATENATED MODULE: ./src/cli/checklist-flags.ts
/**
 * The checklist flag set, shared by `checklist` and `rollback`, and its
 * parsing into the engine's ChecklistOptions. `rollback` names the per-step
 * timeout `--step-timeout` because its `--timeout` is the smoke deadline.
 */





/** Flags: --step (repeatable), --steps-file, --cwd, --<timeoutFlag>, --fail-fast, --parallel. */
function checklistFlags(timeoutFlag) {
    return {
        step: { type: 'string', multiple: true },
        'steps-file': { type: 'string' },
        cwd: { type: 'string' },
        [timeoutFlag]: { type: 'string' },
        'fail-fast': { type: 'boolean' },
        parallel: { type: 'string' },
    };
}
function checklistUsage(timeoutFlag) {
    return `[--step CMD]... [--steps-file F] [--cwd DIR] [--${timeoutFlag} S] [--fail-fast] [--parallel N]`;
}
/**
 * Builds ChecklistOptions from parsed flags; `defaults` are used when neither
 * --step nor --steps-file is given. Steps from the file come first.
 */
async function checklistOptionsFromFlags(values, ctx, timeoutFlag, defaults) {
    const steps = [];
    const file = str(values, 'steps-file');
    if (file !== undefined) {
        let text;
        try {
            text = await promises_default().readFile(external_node_path_default().resolve(ctx.cwd, file), 'utf8');
        }
        catch (err) {
            throw new UsageError(`--steps-file: cannot read ${file}: ${err.code ?? err}`, {
                cause: err,
            });
        }
        const fromFile = parseStepsFile(text);
        if (fromFile.length === 0)
            throw new UsageError(`--steps-file: ${file} lists no commands`);
        steps.push(...fromFile);
    }
    for (const s of strs(values, 'step')) {
        if (s.trim() === '')
            throw new UsageError('--step: must be a non-empty shell command');
        steps.push(s);
    }
    const cwdFlag = str(values, 'cwd');
    const cwd = external_node_path_default().resolve(ctx.cwd, cwdFlag ?? '.');
    if (cwdFlag !== undefined) {
        const st = await promises_default().stat(cwd).catch(() => null);
        if (!st?.isDirectory())
            throw new UsageError(`--cwd: ${cwdFlag} is not a directory`);
    }
    const opts = { steps: steps.length > 0 ? steps : [...defaults], cwd, env: ctx.env };
    const timeout = seconds(values, timeoutFlag);
    if (timeout !== undefined)
        opts.timeoutMs = Math.round(timeout * 1000);
    if (bool(values, 'fail-fast'))
        opts.failFast = true;
    const parallel = command_int(values, 'parallel', { min: 1, max: 64 });
    if (parallel !== undefined)
        opts.parallel = parallel;
    return opts;
}

;// CONCATENATED MODULE: ./src/cli/ops-format.ts
/** Left-aligned columns separated by two spaces. */
function table(headers, rows) {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells) => cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd();
    return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
function formatSeconds(ms) {
    return `${(ms / 1000).toFixed(1)} s`;
}
function smokeTable(r) {
    const rows = r.checks.map((c) => [
        c.name,
        c.ok ? 'ok' : 'FAIL',
        c.status === null ? '-' : String(c.status),
        String(c.attempts),
        `${c.latencyMs} ms`,
        c.message,
    ]);
    const verdict = r.ok ? 'smoke checks passed' : 'smoke checks FAILED';
    return (table(['check', 'result', 'http', 'attempts', 'latency', 'message'], rows) +
        `${verdict} (${formatSeconds(r.durationMs)})\n`);
}
function checklistTable(r) {
    const rows = r.steps.map((s) => [
        String(s.index),
        s.status,
        s.exitCode === null ? (s.signal ?? '-') : String(s.exitCode),
        s.startedAt === null ? '-' : formatSeconds(s.durationMs),
        s.command,
    ]);
    let text = table(['#', 'status', 'exit', 'duration', 'command'], rows);
    for (const s of r.steps) {
        if (s.status === 'failed' || s.status === 'timed-out') {
            text += `\n--- step ${s.index} ${s.status}: ${s.message}; last output:\n${s.outputTail === '' ? '(no output)' : s.outputTail}\n`;
        }
    }
    const passed = r.steps.filter((s) => s.status === 'passed').length;
    const verdict = r.cancelled ? 'checklist INTERRUPTED' : r.ok ? 'checklist passed' : 'checklist FAILED';
    return text + `${verdict}: ${passed}/${r.steps.length} passed in ${formatSeconds(r.durationMs)}\n`;
}

;// CONCATENATED MODULE: ./src/cli/commands/checklist.ts





/** `storage-ops checklist`: the runbook's Validation Checklist (or any list of commands). */
const checklistCommand = {
    name: 'checklist',
    summary: "Run the runbook's validation commands (or your own), each with a timeout, and report each",
    usage: `checklist ${checklistUsage('timeout')} [--json]`,
    options: { ...checklistFlags('timeout'), json: { type: 'boolean' } },
    async run(values, positionals, ctx) {
        if (positionals.length > 0)
            throw new UsageError(`checklist: unexpected argument "${positionals[0]}"`);
        const opts = await checklistOptionsFromFlags(values, ctx, 'timeout', DEFAULT_CHECKLIST_STEPS);
        const result = await runChecklist(opts, ctx.logger, ctx.signal);
        if (values.json)
            jsonOut(ctx, result);
        else
            ctx.out(checklistTable(result));
        if (result.cancelled)
            return 130;
        return result.ok ? 0 : 1;
    },
};

;// CONCATENATED MODULE: ./src/cli/commands/list.ts



/** `storage-ops list`: complete backups in a store, newest first. */
const listCommand = {
    name: 'list',
    summary: 'List the complete backups in a local store, newest first',
    usage: 'list --store DIR [--json]',
    options: { store: { type: 'string' }, json: { type: 'boolean' } },
    async run(values, _positionals, ctx) {
        const store = new LocalStore(external_node_path_default().resolve(ctx.cwd, str(values, 'store', true)));
        const backups = await store.list();
        if (bool(values, 'json')) {
            jsonOut(ctx, backups.map((b) => ({ name: b.name, createdAt: b.createdAt, backend: b.backend, bytes: b.bytes })));
        }
        else if (backups.length === 0) {
            ctx.logger.info(`no backups in ${store.dir}`);
        }
        else {
            const w = Math.max(...backups.map((b) => b.name.length));
            ctx.out(`${'NAME'.padEnd(w)}  CREATED (UTC)             BACKEND          BYTES\n`);
            for (const b of backups) {
                ctx.out(`${b.name.padEnd(w)}  ${b.createdAt.padEnd(24)}  ${String(b.backend).padEnd(15)}  ${b.bytes}\n`);
            }
        }
        return 0;
    },
};

;// CONCATENATED MODULE: ./src/core/retention/calendar.ts
/**
 * Calendar arithmetic for retention: wall-clock fields in UTC or an IANA zone,
 * ISO-8601 weeks, bucket keys, and Go's `time.AddDate` (which restic uses for
 * its `within` windows). Integer arithmetic on day numbers keeps planning
 * 100,000 backups fast; Intl is only asked for zone offsets, and cached.
 */

const MS_HOUR = 3_600_000;
const MS_DAY = 86_400_000;
// Consecutive backups mostly share a day: remember the last conversion.
let memoDays = NaN;
let memoCivil = [1970, 1, 1];
/** Days since 1970-01-01 -> [year, month 1-12, day 1-31] (proleptic Gregorian). Do not mutate the result. */
function civilFromDays(days) {
    if (days === memoDays)
        return memoCivil;
    memoCivil = civilFromDaysUncached(days);
    memoDays = days;
    return memoCivil;
}
function civilFromDaysUncached(days) {
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}
/** [year, month 1-12, day] -> days since 1970-01-01. */
function daysFromCivil(year, month, day) {
    const y = month <= 2 ? year - 1 : year;
    const era = Math.floor(y / 400);
    const yoe = y - era * 400;
    const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
}
/** ISO-8601 week of a day number, as year*100 + week (2025-12-29 -> 202601). */
function isoWeekKey(days) {
    const weekday = (((days + 3) % 7) + 7) % 7; // Monday = 0; 1970-01-01 was a Thursday
    const thursday = days - weekday + 3; // the week belongs to the year of its Thursday
    const year = civilFromDays(thursday)[0];
    return year * 100 + Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
}
function hourKey(localMs) {
    const days = Math.floor(localMs / MS_DAY);
    const [y, m, d] = civilFromDays(days);
    return y * 1_000_000 + m * 10_000 + d * 100 + Math.floor((localMs - days * MS_DAY) / MS_HOUR);
}
function dayKey(localMs) {
    const [y, m, d] = civilFromDays(Math.floor(localMs / MS_DAY));
    return y * 10_000 + m * 100 + d;
}
let memoWeekDay = NaN;
let memoWeek = 0;
function weekKey(localMs) {
    const days = Math.floor(localMs / MS_DAY);
    if (days !== memoWeekDay) {
        memoWeek = isoWeekKey(days);
        memoWeekDay = days;
    }
    return memoWeek;
}
function monthKey(localMs) {
    const [y, m] = civilFromDays(Math.floor(localMs / MS_DAY));
    return y * 100 + m;
}
function yearKey(localMs) {
    return civilFromDays(Math.floor(localMs / MS_DAY))[0];
}
/**
 * The bucket table: granularity -> key of the bucket a backup falls in, from
 * its wall-clock time as milliseconds (UTC fields = wall fields). `last` gives
 * every backup its own bucket (its position in the newest-first walk).
 */
const BUCKETS = {
    last: (_localMs, nr) => nr,
    hourly: hourKey,
    daily: dayKey,
    weekly: weekKey,
    monthly: monthKey,
    yearly: yearKey,
};
/** Label of a week or month bucket for display: "2026-W01", "2026-01". */
function bucketLabel(granularity, localMs) {
    if (granularity === 'weekly') {
        const k = weekKey(localMs);
        return `${Math.floor(k / 100)}-W${String(k % 100).padStart(2, '0')}`;
    }
    const k = monthKey(localMs);
    return `${Math.floor(k / 100)}-${String(k % 100).padStart(2, '0')}`;
}
const UTC_ZONE = { name: 'UTC', toWall: (ms) => ms, fromWall: (w) => w };
/**
 * A Zone for an IANA name. Throws UsageError (naming `what`) for unknown zones.
 * Offsets come from Intl and are cached per UTC hour; hours that contain a
 * transition are resolved per minute.
 */
function makeZone(name, what = '--timezone') {
    if (name === 'UTC' || name === 'Etc/UTC')
        return UTC_ZONE;
    let fmt;
    try {
        fmt = new Intl.DateTimeFormat('en-US', {
            timeZone: name,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
            era: 'short',
        });
    }
    catch (err) {
        throw new UsageError(`${what}: unknown time zone "${name}"; expected an IANA zone name like UTC or Europe/Berlin`, {
            cause: err,
        });
    }
    const exact = (ms) => {
        const sec = Math.floor(ms / 1000) * 1000;
        const f = {};
        for (const p of fmt.formatToParts(sec))
            f[p.type] = p.value;
        let year = Number(f.year);
        if (f.era === 'BC' || f.era === 'B')
            year = 1 - year;
        const wall = wallMs(year, Number(f.month), Number(f.day), Number(f.hour), Number(f.minute), Number(f.second));
        return wall - sec;
    };
    // Offsets change at most a few times a year: cache per UTC day when the
    // offset is the same at both ends of the day, else per hour, else per minute.
    const cache = new Map();
    const span = (unit, key) => {
        const id = `${unit}:${key}`;
        let v = cache.get(id);
        if (v === undefined) {
            const a = exact(key * unit);
            v = a === exact(key * unit + unit - 1) ? a : NaN;
            cache.set(id, v);
        }
        return v;
    };
    const offset = (ms) => {
        const d = span(MS_DAY, Math.floor(ms / MS_DAY));
        if (d === d)
            return d;
        const h = span(MS_HOUR, Math.floor(ms / MS_HOUR));
        if (h === h)
            return h;
        return exact(Math.floor(ms / 60_000) * 60_000);
    };
    return {
        name,
        toWall: (ms) => ms + offset(ms),
        fromWall: (w) => {
            // Go's time.Date: guess the offset at the wall time read as UTC; if the
            // resulting instant lies outside that offset's period, use its own offset.
            const o1 = offset(w);
            const u = w - o1;
            const o2 = offset(u);
            return o2 === o1 ? u : w - o2;
        },
    };
}
/** Wall-clock fields -> milliseconds, without Date.UTC's 1900 shift for years 0-99. */
function wallMs(year, month, day, hour, minute, second) {
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, 0);
    return d.getTime();
}
/**
 * Go's `t.AddDate(years, months, days)` on a wall-clock time: the fields are
 * added and then normalised (March 31 minus one month is "February 31", which
 * is March 3, or March 2 in a leap year). Time of day is unchanged.
 */
function addDateWall(wall, years, months, days) {
    const d = new Date(wall);
    d.setUTCFullYear(d.getUTCFullYear() + years, d.getUTCMonth() + months, d.getUTCDate() + days);
    return d.getTime();
}

;// CONCATENATED MODULE: ./src/core/retention/policy.ts
/**
 * Retention policies: the rule set of restic's `forget`, the runbook's two
 * profiles, the duration syntax, and a policy's description in plain words.
 */

/** Count rules in restic's evaluation order, with the bucket each uses and restic's reason word. */
const COUNT_RULES = [
    { key: 'last', flag: 'keep-last', bucket: 'last', reason: 'last snapshot' },
    { key: 'hourly', flag: 'keep-hourly', bucket: 'hourly', reason: 'hourly snapshot' },
    { key: 'daily', flag: 'keep-daily', bucket: 'daily', reason: 'daily snapshot' },
    { key: 'weekly', flag: 'keep-weekly', bucket: 'weekly', reason: 'weekly snapshot' },
    { key: 'monthly', flag: 'keep-monthly', bucket: 'monthly', reason: 'monthly snapshot' },
    { key: 'yearly', flag: 'keep-yearly', bucket: 'yearly', reason: 'yearly snapshot' },
];
/**
 * Duration rules in restic's evaluation order. `within` has no bucket: it keeps
 * every backup inside its window.
 */
const WITHIN_RULES = [
    { key: 'within', flag: 'keep-within', bucket: null, reason: 'within' },
    { key: 'withinHourly', flag: 'keep-within-hourly', bucket: 'hourly', reason: 'hourly within' },
    { key: 'withinDaily', flag: 'keep-within-daily', bucket: 'daily', reason: 'daily within' },
    { key: 'withinWeekly', flag: 'keep-within-weekly', bucket: 'weekly', reason: 'weekly within' },
    { key: 'withinMonthly', flag: 'keep-within-monthly', bucket: 'monthly', reason: 'monthly within' },
    { key: 'withinYearly', flag: 'keep-within-yearly', bucket: 'yearly', reason: 'yearly within' },
];
const MAX_UNIT = 1_000_000;
const UNIT_FIELD = { y: 'years', m: 'months', w: 'weeks', d: 'days', h: 'hours' };
/** What a duration accepts, for error messages. */
const DURATION_HELP = 'a duration like 14d, 8w, 6m, 1y or 1y6m2w3d12h (units y, m, w, d, h)';
/**
 * Parses restic's `NyNmNdNh` durations, plus `Nw` (7N days). Units may come in
 * any order, each at most once. `what` names the flag or input in errors.
 */
function parseDuration(text, what = 'duration') {
    const s = text.trim();
    const d = { years: 0, months: 0, weeks: 0, days: 0, hours: 0 };
    if (s === '')
        throw new UsageError(`${what}: empty; expected ${DURATION_HELP}`);
    const seen = new Set();
    const re = /(\d+)([a-zA-Z]?)/y;
    let pos = 0;
    while (pos < s.length) {
        re.lastIndex = pos;
        const m = re.exec(s);
        if (!m)
            throw new UsageError(`${what}: "${text}" is not valid; expected ${DURATION_HELP}`);
        const [, num, unit] = m;
        if (unit === '')
            throw new UsageError(`${what}: "${text}" has no unit after ${num}; expected ${DURATION_HELP}`);
        const field = UNIT_FIELD[unit];
        if (!field)
            throw new UsageError(`${what}: "${text}" has unknown unit "${unit}"; expected ${DURATION_HELP}`);
        if (seen.has(unit))
            throw new UsageError(`${what}: "${text}" repeats unit "${unit}"; expected ${DURATION_HELP}`);
        seen.add(unit);
        const n = Number(num);
        if (n > MAX_UNIT)
            throw new UsageError(`${what}: "${text}" is too long (${n}${unit}); expected ${DURATION_HELP}`);
        d[field] = n;
        pos = re.lastIndex;
    }
    if (isZeroDuration(d))
        throw new UsageError(`${what}: "${text}" is zero; expected ${DURATION_HELP}`);
    return d;
}
/** The duration in the compact form (`1y6m`, `8w`, `14d`); empty for zero. */
function formatDuration(d) {
    let s = '';
    if (d.years)
        s += `${d.years}y`;
    if (d.months)
        s += `${d.months}m`;
    if (d.weeks)
        s += `${d.weeks}w`;
    if (d.days)
        s += `${d.days}d`;
    if (d.hours)
        s += `${d.hours}h`;
    return s;
}
/** True when every unit is zero (restic treats such a rule as off). */
function isZeroDuration(d) {
    return !d || (d.years === 0 && d.months === 0 && d.weeks === 0 && d.days === 0 && d.hours === 0);
}
/** Convenience for code and tests: `dur('14d')`. */
function dur(text) {
    return parseDuration(text);
}
/** The runbook's profiles (Retention Policy section). */
const PROFILES = {
    // "Local/dev minimum: keep daily backups for 14 days, keep weekly backups for 8 weeks"
    dev: { withinDaily: dur('14d'), withinWeekly: dur('8w') },
    // "Shared staging: keep daily backups for 30 days, keep monthly backups for 6 months"
    staging: { withinDaily: dur('30d'), withinMonthly: dur('6m') },
};
const PROFILE_NAMES = Object.keys(PROFILES);
/** Whether a count rule is on (restic: count > 0 or unlimited). */
function countActive(c) {
    return c === 'unlimited' || (typeof c === 'number' && c > 0);
}
/** restic's guard: a policy with no active rule keeps nothing and is an error. */
function isEmptyPolicy(p) {
    return !COUNT_RULES.some((r) => countActive(p[r.key])) && WITHIN_RULES.every((r) => isZeroDuration(p[r.key]));
}
/** Checks a policy built in code (counts whole and non-negative, durations non-negative). */
function validatePolicy(p) {
    for (const r of COUNT_RULES) {
        const c = p[r.key];
        if (c === undefined || c === 'unlimited')
            continue;
        if (!Number.isSafeInteger(c) || c < 0) {
            throw new UsageError(`--${r.flag}: ${String(c)} is not valid; expected a whole number >= 0 or "unlimited"`);
        }
    }
    for (const r of WITHIN_RULES) {
        const d = p[r.key];
        if (!d)
            continue;
        for (const f of Object.values(UNIT_FIELD)) {
            const v = d[f];
            if (!Number.isSafeInteger(v) || v < 0 || v > MAX_UNIT) {
                throw new UsageError(`--${r.flag}: ${f} ${String(v)} is not valid; expected ${DURATION_HELP}`);
            }
        }
    }
}
function plural(n, unit) {
    return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
/** "1 year 6 months", "14 days", "8 weeks", "36 hours". */
function durationInWords(d) {
    const parts = [];
    if (d.years)
        parts.push(plural(d.years, 'year'));
    if (d.months)
        parts.push(plural(d.months, 'month'));
    if (d.weeks)
        parts.push(plural(d.weeks, 'week'));
    if (d.days)
        parts.push(plural(d.days, 'day'));
    if (d.hours)
        parts.push(plural(d.hours, 'hour'));
    return parts.join(' ');
}
const PER = {
    hourly: { per: 'an hour', unit: 'hour' },
    daily: { per: 'a day', unit: 'day' },
    weekly: { per: 'a week', unit: 'week' },
    monthly: { per: 'a month', unit: 'month' },
    yearly: { per: 'a year', unit: 'year' },
};
/**
 * The policy in plain words, e.g. for `dev`: "keep one backup a day for 14 days
 * and one a week for 8 weeks". Window rules come first (the runbook's way of
 * speaking), then count rules.
 */
function describePolicy(p) {
    // Each phrase is [first form, follow-up form] so "backup" is said once.
    const phrases = [];
    if (!isZeroDuration(p.within)) {
        const w = durationInWords(p.within);
        phrases.push([`every backup from the last ${w}`, `every backup from the last ${w}`]);
    }
    for (const r of WITHIN_RULES) {
        if (r.bucket === null || isZeroDuration(p[r.key]))
            continue;
        const { per } = PER[r.bucket];
        const w = durationInWords(p[r.key]);
        phrases.push([`one backup ${per} for ${w}`, `one ${per} for ${w}`]);
    }
    for (const r of COUNT_RULES) {
        const c = p[r.key];
        if (!countActive(c))
            continue;
        if (r.bucket === 'last') {
            phrases.push(c === 'unlimited'
                ? ['every backup', 'every backup']
                : c === 1
                    ? ['the last backup', 'the last backup']
                    : [`the last ${c} backups`, `the last ${c} backups`]);
            continue;
        }
        const { per, unit } = PER[r.bucket];
        const span = c === 'unlimited' ? `every ${unit} that has one` : `the last ${plural(c, unit)} that have one`;
        phrases.push([`one backup ${per} for ${span}`, `one ${per} for ${span}`]);
    }
    if (phrases.length === 0)
        return 'keep nothing (empty policy)';
    const words = phrases.map((ph, i) => (i === 0 ? ph[0] : ph[1]));
    const list = words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
    return `keep ${list}`;
}
const BUCKET_DAYS = {
    last: 0,
    hourly: 1 / 24,
    daily: 1,
    weekly: 7,
    monthly: 31,
    yearly: 366,
};
function durationDays(d) {
    return d.years * 366 + d.months * 31 + d.weeks * 7 + d.days + d.hours / 24;
}
/**
 * How many days the longest tier of the policy reaches back, rounded up, plus
 * one day of slack for the time between a backup and the prune that follows.
 * Months count as 31 days and years as 366, so this is an upper bound for
 * windows. A count rule needs at least count x bucket length when there is a
 * backup in every bucket; `unlimited` gives Infinity. `last` adds nothing (it
 * is about backups, not time). Used to pick storage lifetimes (artifact
 * retention-days) long enough not to expire a backup the policy keeps.
 */
function policyHorizonDays(p) {
    let span = 0;
    for (const r of WITHIN_RULES) {
        const d = p[r.key];
        if (!isZeroDuration(d))
            span = Math.max(span, durationDays(d));
    }
    for (const r of COUNT_RULES) {
        const c = p[r.key];
        if (!countActive(c) || r.bucket === 'last')
            continue;
        if (c === 'unlimited')
            return Infinity;
        span = Math.max(span, c * BUCKET_DAYS[r.bucket]);
    }
    return Math.ceil(span) + 1;
}

;// CONCATENATED MODULE: ./src/core/retention/options.ts
/**
 * Turns flag or input strings (`profile`, `keep-daily`, `keep-within-weekly`,
 * `timezone`, `max-delete`, ...) into a retention policy. Shared by the CLI's
 * `plan` and `prune` and by the action, so every adapter accepts and rejects
 * exactly the same values with the same messages.
 */



/** Every option name this module reads, for adapters that declare them. */
const RETENTION_OPTION_NAMES = [
    'profile',
    ...COUNT_RULES.map((r) => r.flag),
    ...WITHIN_RULES.map((r) => r.flag),
    'timezone',
    'max-delete',
];
/** Parses a count rule value: a whole number >= 0, or `unlimited`. */
function parseKeepCount(text, what) {
    const s = text.trim();
    if (s === 'unlimited')
        return 'unlimited';
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
        throw new UsageError(`${what}: "${text}" is not valid; expected a whole number >= 0 or "unlimited"`);
    }
    return Number(s);
}
/**
 * Reads retention settings from a plain record of strings (CLI flag values or
 * action inputs; empty strings count as not given). A profile gives the
 * starting rules; explicit rules are added to it, and replace the profile's
 * rule of the same name. `prefix` is how names appear in messages (`--` for
 * CLI flags, `` for action inputs). Throws UsageError naming the option and
 * what it accepts; an empty result is an error too.
 */
function retentionFromOptions(values, opts = {}) {
    const prefix = opts.prefix ?? '--';
    const get = (k) => {
        const v = values[k];
        return v === undefined || v.trim() === '' ? undefined : v;
    };
    const settings = { policy: {} };
    const profile = get('profile');
    if (profile !== undefined) {
        const p = profile.trim();
        if (!PROFILE_NAMES.includes(p)) {
            throw new UsageError(`${prefix}profile: unknown profile "${profile}"; expected ${PROFILE_NAMES.join(' or ')}`);
        }
        settings.profile = p;
        settings.policy = { ...PROFILES[p] };
    }
    for (const r of COUNT_RULES) {
        const v = get(r.flag);
        if (v !== undefined)
            settings.policy[r.key] = parseKeepCount(v, `${prefix}${r.flag}`);
    }
    for (const r of WITHIN_RULES) {
        const v = get(r.flag);
        if (v !== undefined)
            settings.policy[r.key] = parseDuration(v, `${prefix}${r.flag}`);
    }
    const tz = get('timezone');
    if (tz !== undefined) {
        makeZone(tz.trim(), `${prefix}timezone`);
        settings.timezone = tz.trim();
    }
    const md = get('max-delete');
    if (md !== undefined) {
        if (!/^\d+$/.test(md.trim()) || !Number.isSafeInteger(Number(md.trim()))) {
            throw new UsageError(`${prefix}max-delete: "${md}" is not valid; expected a whole number >= 0`);
        }
        settings.maxDelete = Number(md.trim());
    }
    if (isEmptyPolicy(settings.policy)) {
        throw new UsageError(`no retention rules: give ${prefix}profile (${PROFILE_NAMES.join(' or ')}) or at least one ${prefix}keep-* rule with a count above 0 or a duration`);
    }
    return settings;
}

;// CONCATENATED MODULE: ./src/cli/retention-flags.ts
/**
 * CLI side of the retention flags shared by `plan` and `prune`: the option
 * declarations and their translation to the engine's settings (through
 * `retentionFromOptions`, which the action uses too).
 */


/** `--profile`, every `--keep-*`, `--timezone`; `prune` adds `--max-delete` itself. */
const RETENTION_FLAGS = Object.fromEntries(RETENTION_OPTION_NAMES.filter((n) => n !== 'max-delete').map((n) => [n, { type: 'string' }]));
/** Reads the retention flags from parsed CLI values (last occurrence wins). */
function retentionFromFlags(values) {
    const record = {};
    for (const n of RETENTION_OPTION_NAMES)
        record[n] = str(values, n);
    return retentionFromOptions(record, { prefix: '--' });
}
/** Usage text for the retention flags. */
const RETENTION_USAGE = '(--profile dev|staging | --keep-last N --keep-hourly N --keep-daily N --keep-weekly N --keep-monthly N --keep-yearly N ' +
    '--keep-within D --keep-within-hourly D --keep-within-daily D --keep-within-weekly D --keep-within-monthly D --keep-within-yearly D) ' +
    '[--timezone ZONE]   (N: a count or "unlimited"; D: a duration like 14d, 8w, 6m, 1y2m)';

;// CONCATENATED MODULE: ./src/core/retention/plan.ts
/**
 * The retention planner: restic 0.18's `forget` policy, applied to our
 * backups, plus the runbook's safety rules. One pure function: no I/O, and the
 * clock only through `opts.now`.
 */



/** Backups dated further than this into the future stop the plan. */
const MAX_FUTURE_MS = 5 * 60_000;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const plan_MS_HOUR = 3_600_000;
function toMs(v) {
    if (v === undefined)
        return Date.now();
    if (typeof v === 'number')
        return v;
    if (v instanceof Date)
        return v.getTime();
    const ms = Date.parse(v);
    if (Number.isNaN(ms))
        throw new UsageError(`now: "${v}" is not an ISO-8601 time`);
    return ms;
}
/**
 * Plans which backups to keep and which to remove.
 *
 * Semantics are restic 0.18's `forget`, rule for rule: count rules keep the
 * newest backup of each of the last N buckets (hour, day, ISO week, month,
 * year; `last` = every backup its own bucket); `within*` rules keep (the newest
 * per bucket of) every backup strictly after the newest non-future backup minus
 * the duration (Go AddDate arithmetic); the oldest backup is also kept when a
 * count rule has count left or it lies inside a `within-*` window; rules
 * combine as a union and each uses up its own buckets. Buckets follow the wall
 * clock of `opts.timezone` (UTC by default). The walk is newest first; equal
 * instants are ordered by name (the greater name counts as newer), so the plan
 * never depends on input order.
 *
 * Safety rules: an empty policy is a UsageError; a backup dated more than 5
 * minutes after `now` is a RetentionError (clock skew); when the newest backup
 * is unverified nothing is removed (`held` says why); otherwise unverified
 * backups are removed as failed attempts and only verified ones take part; a
 * plan that keeps nothing, or removes more than `maxDelete`, is refused.
 */
function planRetention(backups, policy, opts = {}) {
    validatePolicy(policy);
    if (isEmptyPolicy(policy)) {
        throw new UsageError('retention policy is empty: give a profile (dev, staging) or at least one --keep-* rule; nothing will be removed');
    }
    const zone = opts.timezone === undefined ? UTC_ZONE : makeZone(opts.timezone);
    const now = toMs(opts.now);
    const n = backups.length;
    // Parse once into flat arrays; the walk below touches only numbers.
    const ms = new Float64Array(n);
    const names = new Set();
    let sorted = true;
    for (let i = 0; i < n; i++) {
        const b = backups[i];
        if (typeof b.name !== 'string' || b.name === '')
            throw new InputError(`backup #${i + 1}: name must be a string`);
        if (names.has(b.name))
            throw new InputError(`backup "${b.name}" appears twice; names must be unique`);
        names.add(b.name);
        const t = parseIso(b.createdAt);
        if (Number.isNaN(t)) {
            throw new InputError(`backup "${b.name}": createdAt ${JSON.stringify(b.createdAt)} is not an ISO-8601 time with zone (e.g. 2026-01-31T12:00:00Z)`);
        }
        if (t > now + MAX_FUTURE_MS) {
            throw new RetentionError(`clock skew: backup "${b.name}" is dated ${b.createdAt}, more than 5 minutes after now (${new Date(now).toISOString()}); fix the clock or the backup's date, nothing was removed`);
        }
        ms[i] = t;
        if (sorted && i > 0 && newerFirst(i - 1, i) > 0)
            sorted = false;
    }
    function newerFirst(a, b) {
        const d = ms[b] - ms[a];
        if (d !== 0)
            return d;
        const na = backups[a].name;
        const nb = backups[b].name;
        return na < nb ? 1 : na > nb ? -1 : 0;
    }
    // Stores list newest first already; only sort when needed.
    const order = sorted ? identity(n) : plan_sortNewestFirst(ms, newerFirst);
    const keep = [];
    const remove = [];
    const plan = { keep, remove, held: null, timezone: zone.name };
    if (n === 0)
        return plan;
    const newest = backups[order[0]];
    if (newest.verified === false) {
        const why = `newest backup "${newest.name}" (${newest.createdAt}) is not verified`;
        for (const i of order) {
            const b = backups[i];
            keep.push({ name: b.name, createdAt: b.createdAt, reasons: [`held: ${why}`], backup: b });
        }
        plan.held = `${why}: nothing is removed until a newer backup is confirmed`;
        return plan;
    }
    // Only verified backups take part; the others are failed attempts (all older
    // than the newest backup, which is verified).
    const part = [];
    for (const i of order)
        if (backups[i].verified !== false)
            part.push(i);
    // restic's findLatestTimestamp: the newest backup that is not in the future.
    let latest = -Infinity;
    for (const i of part) {
        if (ms[i] < now) {
            latest = ms[i];
            break;
        }
    }
    const counts = COUNT_RULES.filter((r) => countActive(policy[r.key])).map((r) => {
        const c = policy[r.key];
        return { bucket: BUCKETS[r.bucket], reason: r.reason, left: c === 'unlimited' ? Infinity : c, last: -1 };
    });
    const windows = WITHIN_RULES.filter((r) => !isZeroDuration(policy[r.key])).map((r) => {
        const d = policy[r.key];
        const cutoff = latest === -Infinity
            ? -Infinity
            : zone.fromWall(addDateWall(zone.toWall(latest), -d.years, -d.months, -(d.days + 7 * d.weeks))) -
                d.hours * plan_MS_HOUR;
        return {
            bucket: r.bucket ? BUCKETS[r.bucket] : null,
            reason: `${r.reason} ${formatDuration(d)}`,
            cutoff,
            last: -1,
        };
    });
    const needWall = counts.some((c) => c.bucket !== BUCKETS.last) || windows.some((w) => w.bucket !== null);
    const oldest = part.length - 1;
    const kept = new Array(n);
    for (let nr = 0; nr < part.length; nr++) {
        const i = part[nr];
        const t = ms[i];
        let wall = NaN; // computed on first use: most backups of a long history are outside every rule
        const reasons = [];
        // Plain `within` first (restic's order), then count rules, then within-* rules.
        for (const w of windows) {
            if (w.bucket === null && t > w.cutoff)
                reasons.push(w.reason);
        }
        for (const c of counts) {
            if (c.left <= 0)
                continue;
            if (needWall && wall !== wall)
                wall = zone.toWall(t);
            const val = c.bucket(wall, nr);
            if (val !== c.last || nr === oldest) {
                reasons.push(val === c.last ? `oldest ${c.reason}` : c.reason);
                c.last = val;
                c.left--;
            }
        }
        for (const w of windows) {
            if (w.bucket === null || !(t > w.cutoff))
                continue;
            if (wall !== wall)
                wall = zone.toWall(t);
            const val = w.bucket(wall, nr);
            if (val !== w.last || nr === oldest) {
                reasons.push(val === w.last ? `oldest ${w.reason}` : w.reason);
                w.last = val;
            }
        }
        if (reasons.length > 0)
            kept[i] = reasons;
    }
    // One pass in walk order so keep and remove both come out newest first.
    for (const i of order) {
        const b = backups[i];
        const reasons = kept[i];
        if (reasons)
            keep.push({ name: b.name, createdAt: b.createdAt, reasons, backup: b });
        else
            remove.push({
                name: b.name,
                createdAt: b.createdAt,
                why: b.verified === false ? 'unverified' : 'policy',
                backup: b,
            });
    }
    if (keep.length === 0) {
        throw new RetentionError(`refusing to remove all ${n} backups: the policy keeps none of them`);
    }
    if (opts.maxDelete !== undefined && remove.length > opts.maxDelete) {
        throw new RetentionError(`the plan would remove ${remove.length} backups, more than --max-delete ${opts.maxDelete}; nothing was removed`);
    }
    return plan;
}
/**
 * Milliseconds of an ISO-8601 time with zone, NaN when it is not one. The
 * common `YYYY-MM-DDTHH:MM:SS(.fff)Z` form is read by hand (Date.parse costs
 * more than the whole rest of planning); the rest go through Date.parse.
 */
function parseIso(s) {
    if (typeof s !== 'string')
        return NaN;
    const len = s.length;
    if ((len === 20 || len === 24) && s.charCodeAt(len - 1) === 90 /* Z */) {
        const d = (i) => s.charCodeAt(i) - 48;
        const ok = (i) => s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
        if (s[4] === '-' &&
            s[7] === '-' &&
            s[10] === 'T' &&
            s[13] === ':' &&
            s[16] === ':' &&
            ok(0) &&
            ok(1) &&
            ok(2) &&
            ok(3) &&
            ok(5) &&
            ok(6) &&
            ok(8) &&
            ok(9) &&
            ok(11) &&
            ok(12) &&
            ok(14) &&
            ok(15) &&
            ok(17) &&
            ok(18) &&
            (len === 20 || (s[19] === '.' && ok(20) && ok(21) && ok(22)))) {
            const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
            const month = d(5) * 10 + d(6);
            const day = d(8) * 10 + d(9);
            const hour = d(11) * 10 + d(12);
            const min = d(14) * 10 + d(15);
            const sec = d(17) * 10 + d(18);
            const frac = len === 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0;
            if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59 || sec > 59) {
                return NaN;
            }
            return (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec) * 1000 + frac;
        }
    }
    return ISO_RE.test(s) ? Date.parse(s) : NaN;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year, month) {
    if (month !== 2)
        return MONTH_DAYS[month - 1];
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}
/**
 * Indices ordered newest first. Packs (time, index) into one 64-bit integer so
 * the engine's native numeric sort does the work; equal instants are then
 * re-ordered with `cmp` (by name). Falls back to a comparator sort when the
 * span of times is too wide to pack.
 */
function plan_sortNewestFirst(ms, cmp) {
    const n = ms.length;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
        if (ms[i] < min)
            min = ms[i];
        if (ms[i] > max)
            max = ms[i];
    }
    const idxBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
    const spanBits = Math.ceil(Math.log2(max - min + 1)) + 1;
    if (idxBits + spanBits > 62)
        return identity(n).sort(cmp);
    const keys = new BigInt64Array(n);
    const shift = BigInt(idxBits);
    for (let i = 0; i < n; i++)
        keys[i] = (BigInt(max - ms[i]) << shift) | BigInt(i);
    keys.sort();
    const mask = (1n << shift) - 1n;
    const order = new Array(n);
    for (let i = 0; i < n; i++)
        order[i] = Number(keys[i] & mask);
    // Runs of equal instants: order by name.
    for (let i = 0; i < n;) {
        let j = i + 1;
        while (j < n && ms[order[j]] === ms[order[i]])
            j++;
        if (j - i > 1) {
            const run = order.slice(i, j).sort(cmp);
            for (let k = i; k < j; k++)
                order[k] = run[k - i];
        }
        i = j;
    }
    return order;
}
function identity(n) {
    const a = new Array(n);
    for (let i = 0; i < n; i++)
        a[i] = i;
    return a;
}
/** Input a plan needs from JSON: checks shape and fills `verified` (default true). */
function parseBackupList(doc, what) {
    if (!Array.isArray(doc))
        throw new InputError(`${what}: expected a JSON array of {name, createdAt, verified?}`);
    return doc.map((x, i) => {
        const o = x;
        if (!o || typeof o !== 'object' || Array.isArray(o)) {
            throw new InputError(`${what}: element ${i + 1} is not an object {name, createdAt, verified?}`);
        }
        if (typeof o.name !== 'string' || o.name === '') {
            throw new InputError(`${what}: element ${i + 1} has no "name" string`);
        }
        if (typeof o.createdAt !== 'string') {
            throw new InputError(`${what}: element ${i + 1} ("${o.name}") has no "createdAt" ISO-8601 string`);
        }
        if (o.verified !== undefined && typeof o.verified !== 'boolean') {
            throw new InputError(`${what}: element ${i + 1} ("${o.name}") has a non-boolean "verified"`);
        }
        return { name: o.name, createdAt: o.createdAt, verified: o.verified !== false };
    });
}

;// CONCATENATED MODULE: ./src/core/retention/timeline.ts
/**
 * A text timeline of a retention plan: one row per ISO week or calendar month,
 * newest row first, one mark per backup (oldest left): `#` kept, `.` removed.
 * Empty rows stay in, so gaps in the history are visible.
 */

const timeline_MS_DAY = 86_400_000;
/** Renders the timeline as lines of text (first line is the legend). */
function renderTimeline(plan, opts = {}) {
    const tz = opts.timezone ?? plan.timezone;
    const zone = tz === 'UTC' ? UTC_ZONE : makeZone(tz);
    const maxRows = opts.maxRows ?? 60;
    const maxMarks = opts.maxMarks ?? 60;
    const entries = [
        ...plan.keep.map((k) => ({ name: k.name, wall: zone.toWall(Date.parse(k.createdAt)), kept: true })),
        ...plan.remove.map((r) => ({ name: r.name, wall: zone.toWall(Date.parse(r.createdAt)), kept: false })),
    ].sort((a, b) => a.wall - b.wall || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.length === 0)
        return ['timeline: no backups'];
    const first = Math.floor(entries[0].wall / timeline_MS_DAY);
    const last = Math.floor(entries[entries.length - 1].wall / timeline_MS_DAY);
    const unit = opts.unit ?? (last - first <= 26 * 7 ? 'week' : 'month');
    // Row key: the Monday's day number for weeks, year*12+month-1 for months.
    const rowOf = (day) => {
        if (unit === 'week')
            return day - ((((day + 3) % 7) + 7) % 7);
        const [y, m] = civilFromDays(day);
        return y * 12 + m - 1;
    };
    const label = (key) => {
        if (unit === 'week')
            return bucketLabel('weekly', key * timeline_MS_DAY);
        const y = Math.floor(key / 12);
        return bucketLabel('monthly', daysFromCivil(y, key - y * 12 + 1, 1) * timeline_MS_DAY);
    };
    const rows = new Map();
    for (const e of entries) {
        const key = rowOf(Math.floor(e.wall / timeline_MS_DAY));
        const row = rows.get(key) ?? { marks: '', kept: 0, removed: 0 };
        if (e.kept)
            row.kept++;
        else
            row.removed++;
        if (row.marks.length < maxMarks)
            row.marks += e.kept ? '#' : '.';
        rows.set(key, row);
    }
    const step = unit === 'week' ? 7 : 1;
    const lo = rowOf(first);
    const hi = rowOf(last);
    const total = (hi - lo) / step + 1;
    const out = [
        `timeline (${zone.name}, one row per ${unit === 'week' ? 'ISO week' : 'month'}, newest first; # kept, . removed, oldest left):`,
    ];
    const shownRows = [];
    for (let key = hi; key >= lo && shownRows.length < maxRows; key -= step) {
        const row = rows.get(key);
        if (!row) {
            shownRows.push({ label: label(key), marks: '', counts: '' });
            continue;
        }
        const more = row.kept + row.removed - row.marks.length;
        shownRows.push({
            label: label(key),
            marks: more > 0 ? `${row.marks}+${more}` : row.marks,
            counts: `(${row.kept} kept, ${row.removed} removed)`,
        });
    }
    const width = Math.max(...shownRows.map((r) => r.marks.length));
    for (const r of shownRows)
        out.push(`  ${r.label.padEnd(8)}  ${r.marks.padEnd(width)}  ${r.counts}`.trimEnd());
    const shown = shownRows.length;
    if (total > shown)
        out.push(`  ... ${total - shown} older ${unit === 'week' ? 'weeks' : 'months'} not shown`);
    return out;
}

;// CONCATENATED MODULE: ./src/cli/commands/plan.ts
/**
 * `storage-ops plan`: runs the retention planner over a JSON list of backups
 * and prints which ones a policy keeps (with reasons) and which it removes.
 * Touches nothing.
 */








const planCommand = {
    name: 'plan',
    summary: 'Show which backups a retention policy keeps (with reasons) and removes; changes nothing',
    usage: `plan ${RETENTION_USAGE} --input FILE [--json]\n  FILE: JSON array of {"name", "createdAt" (ISO-8601), "verified"? (default true)}`,
    options: { ...RETENTION_FLAGS, input: { type: 'string' }, json: { type: 'boolean' } },
    async run(values, _positionals, ctx) {
        const settings = retentionFromFlags(values);
        const input = str(values, 'input', true);
        let text;
        try {
            text = await (0,promises_.readFile)((0,external_node_path_.resolve)(ctx.cwd, input), 'utf8');
        }
        catch (err) {
            throw new InputError(`--input: cannot read "${input}": ${err.message}`, { cause: err });
        }
        let doc;
        try {
            doc = JSON.parse(text);
        }
        catch (err) {
            throw new InputError(`--input: "${input}" is not valid JSON: ${err.message}`, { cause: err });
        }
        const backups = parseBackupList(doc, `--input ${input}`);
        const plan = planRetention(backups, settings.policy, { timezone: settings.timezone });
        if (plan.held)
            ctx.logger.warn(plan.held);
        if (bool(values, 'json')) {
            jsonOut(ctx, {
                keep: plan.keep.map((k) => ({ name: k.name, createdAt: k.createdAt, reasons: k.reasons })),
                remove: plan.remove.map((r) => ({ name: r.name, createdAt: r.createdAt })),
            });
            return 0;
        }
        const lines = [
            `policy: ${describePolicy(settings.policy)}${plan.timezone === 'UTC' ? '' : ` (calendar of ${plan.timezone})`}`,
            `keep ${plan.keep.length}:`,
            ...plan.keep.map((k) => `  ${k.name}  ${k.createdAt}  ${k.reasons.join(', ')}`),
            `remove ${plan.remove.length}:`,
            ...plan.remove.map((r) => `  ${r.name}  ${r.createdAt}${r.why === 'unverified' ? '  failed attempt (not verified)' : ''}`),
            ...renderTimeline(plan),
        ];
        ctx.out(lines.join('\n') + '\n');
        return 0;
    },
};

;// CONCATENATED MODULE: ./src/core/env-file.ts
/**
 * Dotenv files: a parser with the usual dotenv semantics (used by preflight)
 * and a line-preserving editor (used by rollback).
 *
 * The editor works on the file's bytes read as latin1 - one char per byte - so
 * every line it does not change is written back byte for byte, whatever its
 * encoding, quoting, `export` prefix or line ending. Structure (quotes, `=`,
 * `#`, newlines) is ASCII, and UTF-8 never hides ASCII bytes inside a
 * multi-byte character, so parsing the latin1 view finds the same structure as
 * parsing the decoded text.
 *
 * Semantics: optional `export ` prefix; `KEY=value` with optional spaces
 * around `=`; single-quoted values are literal (`\'` and `\\` escapes),
 * double-quoted values take backslash escapes, and both may span lines;
 * unquoted values end at a `#` preceded by whitespace (an inline comment) and
 * lose trailing whitespace; a later binding of a key wins; lines that do not
 * parse are reported and ignored. `${VAR}` references are not expanded.
 */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
function splitLines(text) {
    const lines = [];
    let pos = 0;
    while (pos < text.length) {
        const nl = text.indexOf('\n', pos);
        if (nl === -1) {
            lines.push({ text: text.slice(pos), eol: '' });
            break;
        }
        const crlf = nl > pos && text[nl - 1] === '\r';
        lines.push({ text: text.slice(pos, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
        pos = nl + 1;
    }
    return lines;
}
const DQ_ESCAPES = {
    '\\': '\\',
    "'": "'",
    '"': '"',
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
};
function decodeQuoted(raw, quote) {
    if (quote === "'")
        return raw.replace(/\\([\\'])/g, '$1');
    return raw.replace(/\\([\\'"abfnrtv])/g, (_m, c) => DQ_ESCAPES[c] ?? c);
}
/** Finds the closing quote at or after `from`, skipping backslash escapes. */
function findClosingQuote(s, from, quote) {
    for (let i = from; i < s.length; i++) {
        const c = s[i];
        if (c === '\\') {
            i++;
            continue;
        }
        if (c === quote)
            return i;
    }
    return -1;
}
const HEAD = /^(\s*)(export[ \t]+)?(?:'([^']+)'|([^=#\s'"]+))[ \t]*/;
const TRAILER = /^[ \t]*(#.*)?$/;
function scan(text) {
    const bom = text.startsWith('\uFEFF') || text.startsWith('\xEF\xBB\xBF');
    const body = text.startsWith('\uFEFF') ? text.slice(1) : text.startsWith('\xEF\xBB\xBF') ? text.slice(3) : text;
    const lines = splitLines(body);
    const bindings = [];
    const invalid = [];
    let i = 0;
    while (i < lines.length) {
        const line = lines[i].text;
        if (/^\s*$/.test(line) || /^\s*#/.test(line)) {
            i++;
            continue;
        }
        const head = HEAD.exec(line);
        if (!head) {
            invalid.push(i);
            i++;
            continue;
        }
        const key = head[3] ?? head[4];
        const exported = head[2] !== undefined;
        let pos = head[0].length;
        if (line[pos] !== '=') {
            // A bare KEY: dotenv records it without a value.
            if (TRAILER.test(line.slice(pos))) {
                bindings.push({
                    key,
                    value: null,
                    exported,
                    startLine: i,
                    endLine: i,
                    valueStart: pos,
                    valueEnd: pos,
                    quote: '',
                    hasEquals: false,
                });
            }
            else {
                invalid.push(i);
            }
            i++;
            continue;
        }
        pos++;
        while (line[pos] === ' ' || line[pos] === '\t')
            pos++;
        const valueStart = pos;
        const q = line[pos];
        if (q === "'" || q === '"') {
            // The value may continue over the following lines until its closing quote.
            let joined = line;
            let end = i;
            let close = findClosingQuote(joined, pos + 1, q);
            while (close === -1 && end + 1 < lines.length) {
                end++;
                joined += '\n' + lines[end].text;
                close = findClosingQuote(joined, pos + 1, q);
            }
            if (close === -1) {
                invalid.push(i);
                i++;
                continue;
            }
            const lastLineStart = joined.lastIndexOf('\n', close) + 1;
            const rest = joined.slice(close + 1);
            if (!TRAILER.test(rest.split('\n')[0])) {
                invalid.push(i);
                i++;
                continue;
            }
            bindings.push({
                key,
                value: decodeQuoted(joined.slice(pos + 1, close), q),
                exported,
                startLine: i,
                endLine: end,
                valueStart,
                valueEnd: close + 1 - lastLineStart,
                quote: q,
                hasEquals: true,
            });
            i = end + 1;
            continue;
        }
        // Unquoted: up to an inline comment (whitespace then #), trailing blanks dropped.
        let raw = line.slice(pos);
        if (raw.startsWith('#') && pos > head[0].length + 1) {
            // `KEY= # note`: whitespace before `#` makes it a comment; the value is empty.
            raw = '';
        }
        else {
            const comment = /[ \t]#/.exec(raw);
            if (comment)
                raw = raw.slice(0, comment.index);
        }
        raw = raw.replace(/\s+$/, '');
        // An empty value sits right after `=`, so a new value never touches a `#`.
        const at = raw === '' ? head[0].length + 1 : valueStart;
        bindings.push({
            key,
            value: raw,
            exported,
            startLine: i,
            endLine: i,
            valueStart: at,
            valueEnd: at + raw.length,
            quote: '',
            hasEquals: true,
        });
        i++;
    }
    return { bom, lines, bindings, invalid };
}
/** Parses a dotenv file (bytes are decoded as UTF-8). */
function parseEnv(input) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    const s = scan(text);
    const values = {};
    for (const b of s.bindings) {
        if (b.value === null)
            delete values[b.key];
        else
            values[b.key] = b.value;
    }
    return {
        bom: s.bom,
        bindings: s.bindings.map((b) => ({ key: b.key, value: b.value, line: b.startLine + 1, exported: b.exported })),
        invalidLines: s.invalid.map((n) => n + 1),
        values,
    };
}
const latin1ToUtf8 = (s) => Buffer.from(s, 'latin1').toString('utf8');
/**
 * Applies `edit` to an env file's bytes. Bindings of `set` keys get the new
 * value in the same quoting style, keeping `export`, spacing and any inline
 * comment; bindings of `remove` keys lose all their lines; a `set` key with no
 * binding is appended with the file's own line ending. Every other byte is
 * kept as it was.
 */
function editEnv(input, edit) {
    const buf = Buffer.from(input);
    const hasBom = buf.subarray(0, 3).equals(BOM);
    const text = buf.subarray(hasBom ? 3 : 0).toString('latin1');
    const s = scan(text);
    const set = edit.set ?? {};
    const remove = new Set(edit.remove ?? []);
    for (const [k, v] of Object.entries(set)) {
        if (remove.has(k))
            throw new Error(`editEnv: ${k} is both set and removed`);
        if (/[\r\n]/.test(v))
            throw new Error(`editEnv: value for ${k} must be one line`);
    }
    const replaced = new Map();
    const changes = [];
    const seen = new Set();
    for (const b of s.bindings) {
        const before = s.lines.slice(b.startLine, b.endLine + 1).map((l) => l.text);
        if (remove.has(b.key)) {
            replaced.set(b.startLine, { upto: b.endLine, lines: [] });
            changes.push({
                action: 'remove',
                key: b.key,
                line: b.startLine + 1,
                before: before.map(latin1ToUtf8),
                after: [],
            });
            continue;
        }
        const want = set[b.key];
        if (want === undefined)
            continue;
        seen.add(b.key);
        if (b.value === want && b.hasEquals)
            continue;
        const first = s.lines[b.startLine].text;
        const last = s.lines[b.endLine];
        const value = b.quote === '' ? Buffer.from(want, 'utf8').toString('latin1') : b.quote + want + b.quote;
        const newText = first.slice(0, b.valueStart) + (b.hasEquals ? '' : '=') + value + last.text.slice(b.valueEnd);
        replaced.set(b.startLine, { upto: b.endLine, lines: [{ text: newText, eol: last.eol }] });
        changes.push({
            action: 'set',
            key: b.key,
            line: b.startLine + 1,
            before: before.map(latin1ToUtf8),
            after: [latin1ToUtf8(newText)],
        });
    }
    const out = [];
    for (let i = 0; i < s.lines.length; i++) {
        const r = replaced.get(i);
        if (r) {
            out.push(...r.lines);
            i = r.upto;
        }
        else {
            out.push(s.lines[i]);
        }
    }
    const missing = Object.entries(set).filter(([k]) => !seen.has(k));
    if (missing.length > 0) {
        // The file's own line ending: the first one it uses, LF for a file without any.
        const eol = s.lines.find((l) => l.eol !== '')?.eol ?? '\n';
        const endsOpen = out.length > 0 && out[out.length - 1].eol === '';
        const hadFinalEol = s.lines.length === 0 || s.lines[s.lines.length - 1].eol !== '';
        if (endsOpen)
            out[out.length - 1] = { ...out[out.length - 1], eol };
        missing.forEach(([k, v], idx) => {
            const lineText = `${k}=${Buffer.from(v, 'utf8').toString('latin1')}`;
            const lastOne = idx === missing.length - 1;
            out.push({ text: lineText, eol: lastOne && !hadFinalEol ? '' : eol });
            changes.push({ action: 'append', key: k, line: out.length, before: [], after: [latin1ToUtf8(lineText)] });
        });
    }
    const body = Buffer.from(out.map((l) => l.text + l.eol).join(''), 'latin1');
    const output = hasBom ? Buffer.concat([BOM, body]) : body;
    const keys = [...Object.keys(set), ...remove];
    const unparsed = s.invalid.flatMap((i) => {
        const key = keys.find((k) => s.lines[i].text.includes(k));
        return key === undefined ? [] : [{ line: i + 1, key }];
    });
    return { changed: !output.equals(buf), output, changes, unparsed };
}
/**
 * Renders changes as a small unified-style diff. Only changed lines are shown:
 * an env file's other lines often hold secrets, so no context lines.
 */
function renderEnvDiff(label, changes) {
    if (changes.length === 0)
        return `${label}: no changes\n`;
    const parts = [`--- ${label}`, `+++ ${label} (after rollback)`];
    for (const c of changes) {
        parts.push(`@@ line ${c.line}: ${c.action} ${c.key} @@`);
        for (const l of c.before)
            parts.push(`-${l}`);
        for (const l of c.after)
            parts.push(`+${l}`);
    }
    return parts.join('\n') + '\n';
}

;// CONCATENATED MODULE: ./src/core/preflight.ts
/**
 * Preflight: what the service would do at start with a configuration - which
 * backend, which data files - or the exact sentence it would stop with. Uses
 * the same rules as the service (`resolveConfig`, `assertFlagFor`).
 */





const KEYS = [ENV.backend, ENV.mongoFlag, ENV.graphFlag, ENV.dbPath];
async function describeFile(role, p) {
    try {
        const st = await promises_default().stat(p);
        return { role, path: p, exists: true, bytes: st.size };
    }
    catch {
        return { role, path: p, exists: false, bytes: null };
    }
}
/**
 * Runs the preflight. Resolves to a report for both accepted and rejected
 * configurations; throws InputError only when the env file cannot be read.
 */
async function runPreflight(opts) {
    let env;
    let source;
    const warnings = [];
    let serviceDir = opts.serviceDir ? external_node_path_default().resolve(opts.cwd, opts.serviceDir) : opts.cwd;
    if (opts.envFile !== undefined) {
        const file = external_node_path_default().resolve(opts.cwd, opts.envFile);
        let bytes;
        try {
            bytes = await promises_default().readFile(file);
        }
        catch (err) {
            throw new InputError(`--env-file: cannot read ${file}: ${err.code ?? err}`, {
                cause: err,
            });
        }
        const parsed = parseEnv(bytes);
        for (const n of parsed.invalidLines)
            warnings.push(`${file}:${n}: line does not parse as KEY=value; ignored`);
        env = parsed.values;
        source = file;
        if (!opts.serviceDir)
            serviceDir = external_node_path_default().dirname(file);
    }
    else {
        env = opts.env ?? {};
        source = 'environment';
    }
    const settings = {};
    for (const k of KEYS) {
        settings[k] = env[k] ?? null;
        if (env[k]?.includes('${'))
            warnings.push(`${k} contains "\${": references are not expanded here`);
    }
    const flags = { mongo: isFlagOn(env[ENV.mongoFlag]), graph: isFlagOn(env[ENV.graphFlag]) };
    for (const [k, on] of [
        [ENV.mongoFlag, flags.mongo],
        [ENV.graphFlag, flags.graph],
    ]) {
        const raw = env[k];
        if (raw !== undefined &&
            !on &&
            raw.trim() !== '' &&
            !['0', 'false', 'no', 'off'].includes(raw.trim().toLowerCase())) {
            warnings.push(`${k}=${JSON.stringify(raw)} reads as off; on values are 1, true, yes, on`);
        }
    }
    const base = {
        source,
        serviceDir,
        settings,
        flags,
        warnings,
    };
    try {
        const cfg = resolveConfig(env, {}, serviceDir);
        if (flags.mongo && cfg.backend !== 'mongo-prototype') {
            warnings.push(`${ENV.mongoFlag} is on but unused: the backend is ${cfg.backend}`);
        }
        if (flags.graph && cfg.backend !== 'graph-prototype') {
            warnings.push(`${ENV.graphFlag} is on but unused: the backend is ${cfg.backend}`);
        }
        const files = await Promise.all(cfg.files.map((f) => describeFile(f.role, f.path)));
        for (const f of files) {
            if (!f.exists)
                warnings.push(`${f.path} does not exist; the service starts with empty ${f.role} data`);
        }
        return {
            ok: true,
            ...base,
            backend: cfg.backend,
            backendSource: cfg.sources.backend === 'env' ? 'env' : 'default',
            dbPath: cfg.dbPath,
            dbPathSource: cfg.sources.dbPath === 'env' ? 'env' : 'default',
            files,
            error: null,
        };
    }
    catch (err) {
        if (!(err instanceof ConfigError))
            throw err;
        let backend = null;
        try {
            backend = normaliseBackend(env[ENV.backend]);
        }
        catch { }
        const rawDb = env[ENV.dbPath];
        return {
            ok: false,
            ...base,
            backend,
            backendSource: 'env',
            dbPath: external_node_path_default().resolve(serviceDir, rawDb !== undefined && rawDb !== '' ? rawDb : DEFAULT_DB_PATH),
            dbPathSource: rawDb !== undefined && rawDb !== '' ? 'env' : 'default',
            files: [],
            error: err.message,
        };
    }
}

;// CONCATENATED MODULE: ./src/cli/commands/preflight.ts



function render(r) {
    const lines = [`configuration: ${r.source}`];
    for (const [k, v] of Object.entries(r.settings))
        lines.push(`  ${k}=${v === null ? '(unset)' : JSON.stringify(v)}`);
    lines.push(`flags: mongo adapter ${r.flags.mongo ? 'on' : 'off'}, graph adapter ${r.flags.graph ? 'on' : 'off'}`);
    if (r.ok) {
        lines.push(`the service would start with backend ${r.backend} (${r.backendSource})`);
        lines.push(`database path: ${r.dbPath} (${r.dbPathSource}, relative to ${r.serviceDir})`);
        lines.push('data files:');
        for (const f of r.files) {
            lines.push(`  ${f.role.padEnd(6)} ${f.exists ? `exists, ${f.bytes} bytes` : 'missing'}  ${f.path}`);
        }
    }
    else {
        lines.push(`the service would stop at start with: ${r.error}`);
    }
    for (const w of r.warnings)
        lines.push(`warning: ${w}`);
    return lines.join('\n') + '\n';
}
/** `storage-ops preflight`: what the service would do with a configuration. */
const preflightCommand = {
    name: 'preflight',
    summary: "Apply the service's start-up rules to the environment or an env file: backend, files, or its error",
    usage: 'preflight [--env-file FILE] [--service-dir DIR] [--json]',
    options: { 'env-file': { type: 'string' }, 'service-dir': { type: 'string' }, json: { type: 'boolean' } },
    async run(values, positionals, ctx) {
        if (positionals.length > 0)
            throw new UsageError(`preflight: unexpected argument "${positionals[0]}"`);
        const report = await runPreflight({
            envFile: str(values, 'env-file'),
            serviceDir: str(values, 'service-dir'),
            env: ctx.env,
            cwd: ctx.cwd,
        });
        if (values.json)
            jsonOut(ctx, report);
        else
            ctx.out(render(report));
        // 2: a configuration the service rejects is bad input, like a UsageError.
        return report.ok ? 0 : 2;
    },
};

;// CONCATENATED MODULE: ./src/core/prune.ts
/**
 * Prune executor: plans retention over a store's backups, explains the plan
 * (policy in words, kept backups with reasons, removed ones, a timeline), then
 * deletes. Each store's `remove` is crash-safe on its own (the local store
 * renames a backup out of its namespace before deleting it), so an interrupted
 * prune leaves no half-deleted backup and a rerun finishes the job.
 */





/** Plans and applies retention to `store`. Throws RetentionError when a guard refuses the plan. */
async function prune(store, logger, opts) {
    return store.withLock
        ? store.withLock('prune', () => pruneLocked(store, logger, opts))
        : pruneLocked(store, logger, opts);
}
async function pruneLocked(store, logger, opts) {
    let backups;
    try {
        backups = await store.list();
    }
    catch (err) {
        if (err instanceof StorageOpsError)
            throw err;
        throw new StoreError(`listing ${store.describe()} failed: ${oneLine(err)}`, { cause: err });
    }
    const words = describePolicy(opts.policy);
    const plan = planRetention(backups, opts.policy, {
        timezone: opts.timezone,
        maxDelete: opts.maxDelete,
        now: opts.now,
    });
    const dryRun = opts.dryRun === true;
    logger.info(`policy: ${words}${plan.timezone === 'UTC' ? '' : ` (calendar of ${plan.timezone})`}`);
    logger.info(`${store.describe()}: ${backups.length} backups, keeping ${plan.keep.length}, removing ${plan.remove.length}${dryRun ? ' (dry run)' : ''}`);
    if (plan.held)
        logger.warn(plan.held);
    await logger.group(`keep ${plan.keep.length}`, async () => {
        for (const k of plan.keep)
            logger.info(`keep    ${k.name}  ${k.createdAt}  ${k.reasons.join(', ')}`);
    });
    await logger.group(`remove ${plan.remove.length}`, async () => {
        for (const r of plan.remove) {
            logger.info(`remove  ${r.name}  ${r.createdAt}${r.why === 'unverified' ? '  failed attempt (not verified)' : ''}`);
        }
    });
    await logger.group('timeline', async () => {
        for (const line of renderTimeline(plan))
            logger.info(line);
    });
    const deleted = [];
    if (!dryRun) {
        for (const r of plan.remove) {
            if (opts.signal?.aborted) {
                throw new CancelledError(`prune interrupted after deleting ${deleted.length} of ${plan.remove.length} backups; rerun to finish`);
            }
            try {
                await store.remove(r.name);
            }
            catch (err) {
                throw new StoreError(`deleting backup "${r.name}" from ${store.describe()} failed after ${deleted.length} of ${plan.remove.length} deletions: ${oneLine(err)}; rerun to finish`, { cause: err });
            }
            deleted.push(r.name);
            logger.info(`deleted ${r.name}`);
            await faultPointNoAbort(`prune:deleted-${deleted.length}`, opts.signal);
        }
        logger.info(`pruned ${deleted.length} backups, kept ${plan.keep.length}`);
    }
    else {
        logger.info(`dry run: would delete ${plan.remove.length} backups; nothing was deleted`);
    }
    return { plan, policy: words, deleted, dryRun };
}

;// CONCATENATED MODULE: ./src/cli/commands/prune.ts
/**
 * `storage-ops prune`: applies a retention policy to a local store. Explains
 * the plan (policy in words, kept backups with reasons, removed ones, a
 * timeline) on stderr, then deletes unless `--dry-run`.
 */




const pruneCommand = {
    name: 'prune',
    summary: 'Delete the backups a retention policy does not keep (explains the plan first; --dry-run deletes nothing)',
    usage: `prune --store DIR ${RETENTION_USAGE} [--dry-run] [--max-delete N] ${STORE_LOCK_USAGE} [--json]`,
    options: {
        store: { type: 'string' },
        ...RETENTION_FLAGS,
        'dry-run': { type: 'boolean' },
        'max-delete': { type: 'string' },
        json: { type: 'boolean' },
        ...STORE_LOCK_FLAGS,
    },
    async run(values, _positionals, ctx) {
        const settings = retentionFromFlags(values);
        const store = lockingStoreFromFlags(values, ctx);
        // Finish what killed runs left (trash, staging of dead owners) before planning.
        if (!bool(values, 'dry-run'))
            await store.cleanup();
        const result = await prune(store, ctx.logger, {
            policy: settings.policy,
            timezone: settings.timezone,
            maxDelete: settings.maxDelete,
            dryRun: bool(values, 'dry-run'),
            signal: ctx.signal,
        });
        if (bool(values, 'json')) {
            jsonOut(ctx, {
                policy: result.policy,
                dryRun: result.dryRun,
                keep: result.plan.keep.map((k) => ({ name: k.name, createdAt: k.createdAt, reasons: k.reasons })),
                remove: result.plan.remove.map((r) => ({ name: r.name, createdAt: r.createdAt })),
                deleted: result.deleted,
                held: result.plan.held,
            });
        }
        return 0;
    },
};

;// CONCATENATED MODULE: ./src/core/restore.ts
/**
 * Restore: put a verified backup back over the live files, atomically, with a
 * pre-restore safety copy, then smoke-check. Order of work:
 *   1. verify the backup completely before touching anything;
 *   2. stop writers;
 *   3. quiesce the old database (roll back a hot journal, checkpoint the WAL)
 *      and keep a safety copy `<file>.pre-restore-<stamp>` of every file about
 *      to be replaced (SQLite backup API when it opens, a plain copy otherwise);
 *   4. write each restored file under a temporary name beside its target,
 *      check it, fsync, rename over the target, fsync the folder;
 *   5. remove the old -wal/-shm/-journal (already empty after step 3), so they
 *      can never be replayed into the restored file;
 *   6. start writers (always, once stopped);
 *   7. smoke checks; on failure optionally revert from the safety copies.
 * A crash at any point leaves each target wholly old or wholly restored.
 */















/** SQLite files that must not survive next to a replaced database. */
const SIDECARS = ['-wal', '-shm', '-journal'];
/** Which live file each backup file goes to; refuses cross-backend restores unless explicit. */
async function planRestore(manifest, config, backendExplicit, stamp, writers = {}) {
    if (manifest.backend !== config.backend) {
        const hint = backendExplicit
            ? `--backend ${config.backend} does not match; pass --backend ${manifest.backend} to restore it`
            : `pass --backend ${manifest.backend} to restore it over that backend's files`;
        throw new UsageError(`--backup: ${manifest.name} holds ${manifest.backend} data but the target backend is ${config.backend}; ${hint}`);
    }
    const roots = dataRoots(manifest.backend, config.dbPath);
    const files = [];
    const links = [];
    for (const f of manifest.files) {
        let target = roots.files.find((r) => r.role === f.role)?.path;
        if (!target)
            throw new RestoreError(`${manifest.name}: no target for a ${f.role} file`);
        const st = await promises_default().lstat(target).catch(() => null);
        if (st?.isSymbolicLink()) {
            // A linked database is common (a data disk mounted elsewhere): replace the real file, keep the link.
            const real = await promises_default().realpath(target).catch(() => null);
            if (!real)
                throw new UsageError(`--db-path: ${target} is a link to a missing file; expected the database file`);
            links.push(`${target} is a link to ${real}`);
            target = real;
        }
        if ((await promises_default().stat(target).catch(() => null))?.isDirectory()) {
            throw new UsageError(`--db-path: ${target} is a folder; expected the SQLite database file`);
        }
        const targetExists = await exists(target);
        files.push({
            role: f.role,
            from: f.name,
            target,
            targetExists,
            safetyCopy: targetExists ? `${target}.pre-restore-${stamp}` : null,
            bytes: f.bytes,
            sha256: f.sha256,
        });
    }
    const sidecars = [];
    for (const f of files.filter((x) => x.role === 'sqlite')) {
        for (const s of SIDECARS)
            if (await exists(f.target + s))
                sidecars.push(f.target + s);
    }
    return {
        backup: manifest.name,
        backend: manifest.backend,
        schemaVersion: manifest.schemaVersion,
        sourceJournalMode: manifest.files.find((f) => f.sqlite)?.sqlite?.sourceJournalMode ?? null,
        files,
        sidecars,
        links,
        commands: { stopWriters: writers.stop, startWriters: writers.start },
    };
}
/** Resolves `latest` to the newest backup of the backend; validates a given name. */
async function resolveBackupName(store, ref, backend) {
    if (ref !== 'latest')
        return validateBackupName(ref);
    const newest = (await store.list()).find((b) => b.backend === backend);
    if (!newest)
        throw new NotFoundError(`--backup: latest asked for, but ${store.describe()} holds no ${backend} backup`);
    return newest.name;
}
/** Restores one backup; see the module comment for the order of work. */
async function runRestore(opts) {
    const { logger } = opts;
    const started = performance.now();
    const phasesMs = {};
    const phase = async (name, fn) => {
        const t = performance.now();
        try {
            return await logger.group(name, fn);
        }
        finally {
            phasesMs[name] = Math.round(performance.now() - t);
        }
    };
    const name = await resolveBackupName(opts.store, opts.backup, opts.config.backend);
    const opened = await opts.store.open(name);
    try {
        const report = await phase('verify', () => verifyBackupDir(opened.dir, { onProgress: throttledProgress('verify', (l) => logger.info(l)) }));
        const manifest = report.manifest;
        logger.info(`backup ${name} verified (${manifest.backend}, ${manifest.bytes} bytes, created ${manifest.createdAt})`);
        if (opts.expectSchemaVersion !== undefined && manifest.schemaVersion !== opts.expectSchemaVersion) {
            throw new UsageError(`--expect-schema-version: backup ${name} records analysis schema version ${manifest.schemaVersion ?? '(none)'}, not ${opts.expectSchemaVersion}; the service would refuse to start on it`);
        }
        const stamp = formatStamp((opts.now ?? (() => new Date()))());
        const plan = await planRestore(manifest, opts.config, opts.backendExplicit, stamp, opts.writers);
        for (const l of plan.links ?? [])
            logger.info(`--db-path: ${l}; restoring into the real file`);
        if (opts.dryRun) {
            logger.info('dry run: nothing changed');
            return {
                restoredFrom: name,
                dryRun: true,
                plan,
                safetyCopies: [],
                removedSidecars: [],
                smoke: null,
                reverted: false,
                durationMs: Math.round(performance.now() - started),
                phasesMs,
            };
        }
        if (!opts.writers?.stop) {
            logger.warn('no --stop-writers given: make sure nothing writes to the target files during the restore');
        }
        const safetyCopies = [];
        const removedSidecars = [];
        const removedTemps = await removeStaleTemps(plan);
        if (removedTemps.length)
            logger.info(`removed leftovers of an interrupted restore: ${removedTemps.join(', ')}`);
        await ensureSpace(spaceDir(plan), spaceNeeded(plan), `restoring ${name}`);
        let replaced = 0;
        try {
            await withWritersStopped(opts.writers ?? {}, { cwd: opts.cwd, env: opts.env, logger, signal: opts.signal }, async () => {
                await faultPoint('restore:writers-stopped', opts.signal);
                // Safety copies (read the live files) and staging (copy the backup beside
                // its target) touch different files, so they run side by side: the
                // SQLite backup API works on the thread pool while the staging copy
                // streams. Nothing is swapped until both have finished.
                const staged = await phase('safety copy and staging', async () => {
                    const safety = (async () => {
                        for (const f of plan.files) {
                            if (!f.targetExists || !f.safetyCopy)
                                continue;
                            opts.signal?.throwIfAborted();
                            await makeSafetyCopy(f, logger);
                            safetyCopies.push(f.safetyCopy);
                        }
                    })();
                    const staging = stageFiles(plan, opened.dir, logger, opts.signal);
                    const [s1, s2] = await Promise.allSettled([safety, staging]);
                    if (s1.status === 'rejected') {
                        if (s2.status === 'fulfilled')
                            for (const st of s2.value)
                                await promises_default().rm(st.temp, { force: true });
                        throw s1.reason;
                    }
                    if (s2.status === 'rejected')
                        throw s2.reason;
                    return s2.value;
                });
                try {
                    await faultPoint('restore:safety-copied', opts.signal);
                    await faultPoint('restore:staged', opts.signal);
                    opts.signal?.throwIfAborted();
                }
                catch (err) {
                    for (const st of staged)
                        await promises_default().rm(st.temp, { force: true });
                    throw err;
                }
                await phase('swap', async () => {
                    // From here on we finish: a half-applied restore is worse than a late cancel.
                    for (const s of staged) {
                        if (s.role === 'sqlite')
                            removedSidecars.push(...(await removeSidecars(s.target)));
                        await promises_default().rename(s.temp, s.target);
                        replaced += 1;
                        await fsyncDir(external_node_path_default().dirname(s.target));
                        logger.info(`restored ${s.target}`);
                        await faultPointNoAbort(`restore:renamed-${replaced}`, opts.signal);
                    }
                    for (const s of staged) {
                        if (s.role === 'sqlite' && plan.sourceJournalMode === 'wal')
                            setJournalMode(s.target, 'wal');
                    }
                });
            });
        }
        catch (err) {
            // Nothing was replaced: the safety copies of this run only take space.
            if (replaced === 0)
                for (const c of safetyCopies)
                    await removeSafetyCopy(c);
            if (isDiskFull(err))
                throw await diskFullError(spaceDir(plan), `restoring ${name}`, spaceNeeded(plan), err);
            throw err;
        }
        let smoke = null;
        let reverted = false;
        if (opts.smoke) {
            smoke = await phase('smoke checks', opts.smoke);
            if (!smoke.ok) {
                if (opts.revertOnFailure && safetyCopies.length > 0) {
                    logger.warn(`smoke checks failed (${smoke.message}); reverting to the pre-restore safety copies`);
                    await withWritersStopped(opts.writers ?? {}, { cwd: opts.cwd, env: opts.env, logger }, () => phase('revert', () => revertFromSafetyCopies(plan, logger)));
                    reverted = true;
                    throw new errors_SmokeError(`smoke checks failed after restoring ${name}: ${smoke.message}; reverted to the pre-restore data and restarted writers`);
                }
                throw new errors_SmokeError(`smoke checks failed after restoring ${name}: ${smoke.message}; the restored data is in place (safety copies: ${safetyCopies.join(', ') || 'none'})`);
            }
        }
        return {
            restoredFrom: name,
            dryRun: false,
            plan,
            safetyCopies,
            removedSidecars,
            smoke,
            reverted,
            durationMs: Math.round(performance.now() - started),
            phasesMs,
        };
    }
    catch (err) {
        if (opts.signal?.aborted && !(err instanceof CancelledError) && !(err instanceof errors_SmokeError)) {
            throw new CancelledError(`restore cancelled (${String(opts.signal.reason)})`, { cause: err });
        }
        if (err instanceof StorageOpsError)
            throw err;
        throw new RestoreError(`restore of ${name} failed: ${oneLine(err)}; the target files were not replaced`, {
            cause: err,
        });
    }
    finally {
        await opened.release();
    }
}
/** Folder the restore writes into (every target of one backend shares it). */
function spaceDir(plan) {
    return external_node_path_default().dirname(plan.files[0]?.target ?? '.');
}
/** Bytes a restore writes before anything is replaced: staged files plus safety copies. */
function spaceNeeded(plan) {
    let n = 0;
    for (const f of plan.files) {
        n += f.bytes;
        if (f.targetExists)
            n += fsSizeSync(f.target);
    }
    return n;
}
function fsSizeSync(file) {
    try {
        return (0,external_node_fs_.statSync)(file).size;
    }
    catch {
        return 0;
    }
}
async function removeSafetyCopy(copy) {
    await promises_default().rm(copy, { force: true });
    for (const s of SIDECARS)
        await promises_default().rm(copy + s, { force: true });
}
/**
 * Removes temp files a killed restore left beside the targets
 * (`.<name>.restore-<pid>-<hex>`, `.<name>.revert-…`, `.<name>.pre-restore-<stamp>.partial-…`)
 * whose owner pid is gone. A live owner's files are never touched.
 */
async function removeStaleTemps(plan) {
    const removed = [];
    const byDir = new Map();
    for (const f of plan.files) {
        const dir = external_node_path_default().dirname(f.target);
        byDir.set(dir, [...(byDir.get(dir) ?? []), external_node_path_default().basename(f.target)]);
    }
    for (const [dir, bases] of byDir) {
        const entries = await promises_default().readdir(dir).catch(() => []);
        for (const e of entries) {
            const m = /^\.(.+)\.(restore|revert|partial)-(\d+)-[0-9a-f]{8}$/.exec(e);
            if (!m)
                continue;
            const [, of, kind, pidText] = m;
            const ours = kind === 'partial' ? bases.some((b) => of.startsWith(`${b}.pre-restore-`)) : bases.includes(of);
            if (!ours || pidAlive(Number(pidText)))
                continue;
            await promises_default().rm(external_node_path_default().join(dir, e), { force: true });
            removed.push(external_node_path_default().join(dir, e));
        }
    }
    return removed;
}
/**
 * Brings the old database to a single consistent file: opening it rolls back
 * a hot journal, and a TRUNCATE checkpoint folds the WAL into the main file.
 * Returns false when the file does not open as SQLite.
 */
function quiesce(file) {
    let db;
    try {
        db = new external_node_sqlite_.DatabaseSync(file, { timeout: 10_000 });
    }
    catch {
        return false;
    }
    try {
        db.prepare('SELECT count(*) FROM sqlite_master').get();
        const mode = String(db.prepare('PRAGMA journal_mode').get().journal_mode);
        if (mode === 'wal')
            db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        return true;
    }
    catch {
        return false;
    }
    finally {
        db.close();
    }
}
/** Safety copy of one live file, written under a temp name and renamed into place. */
async function makeSafetyCopy(f, logger) {
    const dest = f.safetyCopy;
    const tmp = tempNameBeside(dest, 'partial');
    try {
        let viaSqlite = false;
        if (f.role === 'sqlite') {
            const isSqlite = await assertSqliteFile(f.target).then(() => true, () => false);
            if (isSqlite && quiesce(f.target)) {
                await copyConsistent(f.target, tmp);
                viaSqlite = true;
            }
        }
        if (!viaSqlite) {
            await copyFileHashed(f.target, tmp);
            if (f.role === 'sqlite') {
                // The old file does not open: keep its sidecars too, byte for byte.
                for (const s of SIDECARS) {
                    if (await exists(f.target + s))
                        await promises_default().copyFile(f.target + s, `${dest}${s}`);
                }
            }
        }
        await promises_default().rename(tmp, dest);
        await fsyncDir(external_node_path_default().dirname(dest));
        logger.info(`safety copy: ${dest}${viaSqlite ? ' (SQLite backup)' : ' (plain copy)'}`);
    }
    catch (err) {
        await promises_default().rm(tmp, { force: true });
        throw new RestoreError(`cannot make the safety copy ${dest}: ${oneLine(err)}; nothing was replaced`, {
            cause: err,
        });
    }
}
/** Writes every restored file under a temp name beside its target and checks it. */
async function stageFiles(plan, backupDir, logger, signal) {
    const staged = [];
    try {
        for (const f of plan.files) {
            signal?.throwIfAborted();
            await promises_default().mkdir(external_node_path_default().dirname(f.target), { recursive: true });
            const temp = tempNameBeside(f.target, 'restore');
            staged.push({ role: f.role, temp, target: f.target });
            // A kernel copy (copy_file_range) then a read-back hash of what was
            // written: faster than streaming through JS, and it checks the copy
            // itself rather than the bytes we meant to write.
            await promises_default().copyFile(external_node_path_default().join(backupDir, f.from), temp, (promises_default()).constants.COPYFILE_EXCL);
            await fsyncFile(temp);
            signal?.throwIfAborted();
            const { sha256 } = await hashFile(temp, throttledProgress(`check ${f.from}`, (l) => logger.info(l)));
            if (sha256 !== f.sha256) {
                throw new RestoreError(`${f.from} changed after verification (sha256 differs); nothing was replaced`);
            }
            // The copy's sha256 equals that of the backup file, which passed
            // integrity_check moments ago: the bytes are identical, so no second check.
        }
        return staged;
    }
    catch (err) {
        for (const s of staged)
            await promises_default().rm(s.temp, { force: true });
        throw err;
    }
}
/** Removes -wal/-shm/-journal beside `target`; returns the ones removed. */
async function removeSidecars(target) {
    const removed = [];
    for (const s of SIDECARS) {
        try {
            await promises_default().unlink(target + s);
            removed.push(target + s);
        }
        catch (err) {
            if (err.code !== 'ENOENT')
                throw err;
        }
    }
    return removed;
}
/** Puts the safety copies back by the same atomic steps. */
async function revertFromSafetyCopies(plan, logger) {
    for (const f of plan.files) {
        if (!f.safetyCopy)
            continue;
        const temp = tempNameBeside(f.target, 'revert');
        try {
            await copyFileHashed(f.safetyCopy, temp);
            if (f.role === 'sqlite') {
                quiesce(f.target);
                await removeSidecars(f.target);
            }
            await promises_default().rename(temp, f.target);
            await fsyncDir(external_node_path_default().dirname(f.target));
            logger.info(`reverted ${f.target} from ${f.safetyCopy}`);
        }
        catch (err) {
            await promises_default().rm(temp, { force: true });
            throw new RestoreError(`reverting ${f.target} from ${f.safetyCopy} failed: ${oneLine(err)}`, { cause: err });
        }
    }
}

;// CONCATENATED MODULE: ./src/core/smoke.ts
/**
 * Smoke checks against a running story_gen service (runbook: "Start API and run
 * smoke checks"): `GET /healthz`, then an authenticated
 * `GET /api/v1/stories/{story_id}/analysis/latest`.
 *
 * Each check retries transient failures (connection refused, 5xx, timeouts)
 * with exponential backoff and full jitter until one overall deadline; answers
 * that retrying cannot change (401, 403, 404, a wrong body) fail at once.
 * Tokens and passwords never reach a message, a log line or the result: every
 * text that could echo them passes through `redact`.
 */

const SMOKE_DEFAULTS = {
    timeoutMs: 60_000,
    requestTimeoutMs: 10_000,
    backoffBaseMs: 250,
    backoffMaxMs: 5_000,
};
/** Validates options before any request; a UsageError names the flag. */
function validateSmokeOptions(opts) {
    let url;
    try {
        url = new URL(opts.baseUrl);
    }
    catch {
        throw new UsageError('--base-url: not a valid URL; expected http://host[:port][/prefix] or https://...');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new UsageError(`--base-url: scheme "${url.protocol.replace(/:$/, '')}" is not supported; expected http or https`);
    }
    if (url.username !== '' || url.password !== '') {
        // Never echo the URL here: it carries a credential.
        throw new UsageError('--base-url: must not contain credentials; pass a token with --token-env or log in with --email');
    }
    if (url.search !== '' || url.hash !== '') {
        throw new UsageError('--base-url: must not have a query or fragment; expected http(s)://host[:port][/prefix]');
    }
    if (opts.storyId === '' || opts.storyId.includes('/')) {
        throw new UsageError('--story-id: must be a non-empty story id without "/"');
    }
    if (opts.token === undefined && opts.login === undefined) {
        throw new UsageError('--token-env or --email with --password-env: one is required for the authenticated check');
    }
    if (opts.token !== undefined && opts.token === '') {
        throw new UsageError('--token-env: the token is empty');
    }
    if (opts.login !== undefined && (opts.login.email === '' || opts.login.password === '')) {
        throw new UsageError('--email and --password-env: email and password must both be non-empty');
    }
    for (const [name, v] of [
        ['--timeout', opts.timeoutMs],
        ['--request-timeout', opts.requestTimeoutMs],
    ]) {
        if (v !== undefined && (!Number.isFinite(v) || v <= 0)) {
            throw new UsageError(`${name}: must be a positive number of seconds`);
        }
    }
}
/** Joins the base URL (which may carry a path prefix) and an API path. */
function endpoint(baseUrl, apiPath) {
    return baseUrl.replace(/\/+$/, '') + apiPath;
}
function defaultSleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal.aborted)
            return reject(signal.reason);
        const t = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(t);
            reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
    });
}
/** Error codes worth naming in plain words; others are shown as-is. */
const NET_WORDS = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host lookup failed (temporary)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    UND_ERR_SOCKET: 'connection closed by the server',
    UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
    UND_ERR_BODY_TIMEOUT: 'response body stalled',
};
function describeNetworkError(err) {
    // Duck-typed: fetch's errors may come from another realm (e.g. under jest's VM).
    let cur = err;
    for (let depth = 0; depth < 4 && typeof cur === 'object' && cur !== null; depth++) {
        const code = cur.code;
        if (typeof code === 'string')
            return NET_WORDS[code] ? `${NET_WORDS[code]} (${code})` : code;
        cur = cur.cause;
    }
    const msg = err?.message;
    return typeof msg === 'string' ? msg : String(err);
}
/** One-line, length-capped body excerpt for messages (after redaction). */
function excerpt(text) {
    const one = text.replace(/\s+/g, ' ').trim();
    if (one === '')
        return '';
    return `: ${one.length > 200 ? one.slice(0, 200) + '...' : one}`;
}
function isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/**
 * Runs the smoke checks and returns their results; it does not throw when a
 * check fails (see `assertSmokeOk`). Throws UsageError for bad options and
 * CancelledError when `signal` aborts.
 */
async function runSmokeChecks(opts, logger, signal) {
    validateSmokeOptions(opts);
    const timeoutMs = opts.timeoutMs ?? SMOKE_DEFAULTS.timeoutMs;
    const requestTimeoutMs = opts.requestTimeoutMs ?? SMOKE_DEFAULTS.requestTimeoutMs;
    const baseMs = opts.backoffBaseMs ?? SMOKE_DEFAULTS.backoffBaseMs;
    const maxMs = opts.backoffMaxMs ?? SMOKE_DEFAULTS.backoffMaxMs;
    const random = opts.random ?? Math.random;
    const sleep = opts.sleep ?? defaultSleep;
    const outer = signal ?? new AbortController().signal;
    const started = performance.now();
    const deadline = started + timeoutMs;
    const secrets = [];
    if (opts.token)
        secrets.push(opts.token);
    if (opts.login)
        secrets.push(opts.login.password);
    /** Replaces every secret we know of; applied to anything taken from the wire. */
    const redact = (text) => {
        let out = text;
        for (const s of secrets)
            if (s.length > 0)
                out = out.split(s).join('[redacted]');
        return out;
    };
    const checkCancelled = () => {
        if (outer.aborted)
            throw new CancelledError('smoke checks interrupted');
    };
    async function attempt(spec, perRequestMs) {
        const timeout = AbortSignal.timeout(Math.max(1, Math.floor(perRequestMs)));
        const combined = AbortSignal.any([outer, timeout]);
        try {
            const res = await fetch(spec.url, {
                method: spec.method,
                headers: spec.headers,
                body: spec.body,
                signal: combined,
                redirect: 'manual',
            });
            const text = await res.text();
            let body = undefined;
            try {
                body = text === '' ? undefined : JSON.parse(text);
            }
            catch { }
            return { kind: 'done', status: res.status, body, text };
        }
        catch (err) {
            checkCancelled();
            if (timeout.aborted)
                return { kind: 'timeout' };
            return { kind: 'network', message: describeNetworkError(err) };
        }
    }
    async function runCheck(spec) {
        let attempts = 0;
        let lastStatus = null;
        let lastLatency = 0;
        let lastProblem = 'no attempt made';
        for (;;) {
            checkCancelled();
            const remaining = deadline - performance.now();
            // An attempt squeezed into the deadline's last moments proves nothing.
            if (remaining <= 0 || (attempts > 0 && remaining < Math.min(50, requestTimeoutMs)))
                break;
            attempts++;
            const perRequest = Math.min(requestTimeoutMs, remaining);
            const t0 = performance.now();
            const a = await attempt(spec, perRequest);
            lastLatency = Math.round(performance.now() - t0);
            if (a.kind === 'done') {
                lastStatus = a.status;
                const verdict = spec.judge(a.status, a.body, redact(a.text));
                if (verdict.ok) {
                    logger.info(`smoke ${spec.name}: ok (HTTP ${a.status}, ${lastLatency} ms, attempt ${attempts})`);
                    return {
                        name: spec.name,
                        ok: true,
                        status: a.status,
                        latencyMs: lastLatency,
                        attempts,
                        message: redact(verdict.message),
                    };
                }
                if (!verdict.retry) {
                    const message = redact(verdict.message);
                    logger.error(`smoke ${spec.name}: ${message}`);
                    return { name: spec.name, ok: false, status: a.status, latencyMs: lastLatency, attempts, message };
                }
                lastProblem = redact(verdict.message);
            }
            else if (a.kind === 'timeout' && perRequest < requestTimeoutMs && attempts > 1) {
                // Cut short by the overall deadline: keep the previous, more telling error.
            }
            else {
                lastStatus = null;
                lastProblem =
                    a.kind === 'timeout' ? `no complete response within ${Math.round(perRequest)} ms` : redact(a.message);
            }
            // Full jitter: a uniform delay up to an exponentially growing ceiling, so
            // several callers waiting on one restarting service do not retry in step.
            const ceiling = Math.min(maxMs, baseMs * 2 ** (attempts - 1));
            const left = deadline - performance.now();
            const delay = Math.min(Math.max(0, random() * ceiling), Math.max(0, left));
            logger.debug(`smoke ${spec.name}: attempt ${attempts} failed (${lastProblem}); retrying in ${Math.round(delay)} ms`);
            if (left <= 0)
                break;
            try {
                await sleep(delay, outer);
            }
            catch {
                checkCancelled();
            }
        }
        const message = `no success within the ${Math.round(timeoutMs / 100) / 10} s deadline after ${attempts} attempt${attempts === 1 ? '' : 's'}; last error: ${lastProblem}`;
        logger.error(`smoke ${spec.name}: ${message}`);
        return { name: spec.name, ok: false, status: lastStatus, latencyMs: lastLatency, attempts, message };
    }
    const checks = [];
    const finish = () => {
        const ok = checks.length > 0 && checks.every((c) => c.ok) && checks.some((c) => c.name === 'analysis');
        const failed = checks.find((c) => !c.ok);
        return {
            ok,
            message: ok
                ? `all ${checks.length} smoke checks passed`
                : failed
                    ? `smoke check "${failed.name}" failed: ${failed.message}`
                    : 'smoke checks did not complete',
            baseUrl: opts.baseUrl,
            storyId: opts.storyId,
            checks,
            durationMs: Math.round(performance.now() - started),
        };
    };
    const health = await runCheck({
        name: 'healthz',
        method: 'GET',
        url: endpoint(opts.baseUrl, '/healthz'),
        headers: { accept: 'application/json' },
        judge(status, body, text) {
            if (status === 200) {
                if (isRecord(body) && body.status === 'ok')
                    return { ok: true, message: 'service reports status "ok"' };
                const got = isRecord(body) ? `status ${JSON.stringify(body.status)}` : 'a body that is not a JSON object';
                return { ok: false, retry: true, message: `HTTP 200 with ${got}; expected {"status": "ok"}` };
            }
            if (status === 404) {
                return {
                    ok: false,
                    retry: false,
                    message: 'HTTP 404: no /healthz at this address; check --base-url points at the story_gen API root',
                };
            }
            if (status === 401 || status === 403) {
                return {
                    ok: false,
                    retry: false,
                    message: `HTTP ${status}: /healthz needs no auth in story_gen, so something in front of the service refused the request`,
                };
            }
            if (status >= 500 || status === 429 || status === 408) {
                return { ok: false, retry: true, message: `HTTP ${status}${excerpt(text)}` };
            }
            return { ok: false, retry: false, message: `HTTP ${status} from /healthz; expected 200${excerpt(text)}` };
        },
    });
    checks.push(health);
    if (!health.ok)
        return finish();
    let token = opts.token;
    if (token === undefined && opts.login) {
        let obtained;
        const login = await runCheck({
            name: 'login',
            method: 'POST',
            url: endpoint(opts.baseUrl, '/api/v1/auth/login'),
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ email: opts.login.email, password: opts.login.password }),
            judge(status, body, text) {
                if (status === 200) {
                    if (isRecord(body) && typeof body.access_token === 'string' && body.access_token !== '') {
                        obtained = body.access_token;
                        secrets.push(obtained);
                        return { ok: true, message: 'logged in; got an access token' };
                    }
                    return { ok: false, retry: false, message: 'HTTP 200 from login without an access_token in the body' };
                }
                if (status === 401) {
                    return { ok: false, retry: false, message: 'HTTP 401: login refused; the email or password is wrong' };
                }
                if (status === 501) {
                    return {
                        ok: false,
                        retry: false,
                        message: 'HTTP 501: the service uses an external OIDC provider and has no password login; a token must be supplied (--token-env)',
                    };
                }
                if (status >= 500 || status === 429 || status === 408) {
                    return { ok: false, retry: true, message: `HTTP ${status}${excerpt(text)}` };
                }
                return { ok: false, retry: false, message: `HTTP ${status} from login; expected 200${excerpt(text)}` };
            },
        });
        checks.push(login);
        if (!login.ok || obtained === undefined)
            return finish();
        token = obtained;
    }
    const analysis = await runCheck({
        name: 'analysis',
        method: 'GET',
        url: endpoint(opts.baseUrl, `/api/v1/stories/${encodeURIComponent(opts.storyId)}/analysis/latest`),
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
        judge(status, body, text) {
            if (status === 200) {
                if (!isRecord(body)) {
                    return { ok: false, retry: false, message: 'HTTP 200 with a body that is not a JSON object' };
                }
                if (body.story_id !== opts.storyId) {
                    return {
                        ok: false,
                        retry: false,
                        message: `HTTP 200 but story_id is ${JSON.stringify(body.story_id)}, not the requested story`,
                    };
                }
                const run = typeof body.run_id === 'string' ? ` (run ${body.run_id})` : '';
                return { ok: true, message: `latest analysis is readable${run}` };
            }
            if (status === 401) {
                return {
                    ok: false,
                    retry: false,
                    message: 'HTTP 401: the token was refused; it is wrong or expired (supply a fresh one)',
                };
            }
            if (status === 403) {
                return {
                    ok: false,
                    retry: false,
                    message: "HTTP 403: the token is valid but its user may not read this story; use the story owner's token",
                };
            }
            if (status === 404) {
                return {
                    ok: false,
                    retry: false,
                    message: 'HTTP 404: the story or its analysis is missing from the restored data (wrong --story-id, or the data lacks it)',
                };
            }
            if (status >= 500 || status === 429 || status === 408) {
                return { ok: false, retry: true, message: `HTTP ${status}${excerpt(text)}` };
            }
            return { ok: false, retry: false, message: `HTTP ${status}; expected 200${excerpt(text)}` };
        },
    });
    checks.push(analysis);
    return finish();
}
/** Throws a SmokeError naming the first failed check and why; returns when all passed. */
function assertSmokeOk(result) {
    if (!result.ok)
        throw new SmokeError(result.message);
}

;// CONCATENATED MODULE: ./src/cli/smoke-flags.ts



/** Flags: --base-url, --story-id, --token-env, --email, --password-env, --timeout, --request-timeout. */
const SMOKE_FLAGS = {
    'base-url': { type: 'string' },
    'story-id': { type: 'string' },
    'token-env': { type: 'string' },
    email: { type: 'string' },
    'password-env': { type: 'string' },
    timeout: { type: 'string' },
    'request-timeout': { type: 'string' },
};
/** Usage text for the smoke flags, for command usage lines. */
const SMOKE_USAGE = '--base-url URL --story-id ID [--token-env VAR | --email E --password-env VAR] [--timeout S] [--request-timeout S]';
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function secretFromEnv(flag, name, env) {
    if (!VAR_NAME.test(name)) {
        throw new UsageError(`--${flag}: "${name}" is not an environment variable name; expected letters, digits and _`);
    }
    const v = env[name];
    if (v === undefined || v === '') {
        throw new UsageError(`--${flag}: environment variable ${name} is not set or empty`);
    }
    return v;
}
/**
 * Builds SmokeOptions from parsed flags. With `required: false` (restore,
 * rollback), no --base-url means "no smoke checks" and resolves to undefined;
 * other smoke flags without --base-url are then a usage error.
 */
function smokeOptionsFromFlags(values, env, opts) {
    const baseUrl = str(values, 'base-url');
    if (baseUrl === undefined) {
        if (opts.required)
            throw new UsageError('--base-url: required; expected http(s)://host[:port]');
        const stray = Object.keys(SMOKE_FLAGS).find((k) => k !== 'base-url' && values[k] !== undefined);
        if (stray)
            throw new UsageError(`--${stray}: a smoke-check option; it needs --base-url`);
        return undefined;
    }
    const storyId = str(values, 'story-id');
    if (storyId === undefined)
        throw new UsageError('--story-id: required with --base-url; the story to read back');
    const tokenEnv = str(values, 'token-env');
    const email = str(values, 'email');
    const passwordEnv = str(values, 'password-env');
    const smoke = { baseUrl, storyId };
    if (tokenEnv !== undefined) {
        if (email !== undefined || passwordEnv !== undefined) {
            throw new UsageError('--token-env: use either --token-env or --email with --password-env, not both');
        }
        smoke.token = secretFromEnv('token-env', tokenEnv, env);
    }
    else if (email !== undefined || passwordEnv !== undefined) {
        if (email === undefined || email === '')
            throw new UsageError('--email: required with --password-env');
        if (passwordEnv === undefined)
            throw new UsageError('--password-env: required with --email');
        smoke.login = { email, password: secretFromEnv('password-env', passwordEnv, env) };
    }
    else {
        throw new UsageError('--token-env: required (or --email with --password-env) for the authenticated check');
    }
    const timeout = seconds(values, 'timeout');
    const requestTimeout = seconds(values, 'request-timeout');
    if (timeout !== undefined)
        smoke.timeoutMs = Math.round(timeout * 1000);
    if (requestTimeout !== undefined)
        smoke.requestTimeoutMs = Math.round(requestTimeout * 1000);
    return smoke;
}
/**
 * The smoke checks as a callback for commands that run them after their own
 * work (restore: `RestoreOptions.smoke`), or undefined without --base-url.
 */
function smokeRunnerFromFlags(values, ctx) {
    const opts = smokeOptionsFromFlags(values, ctx.env, { required: false });
    // Validate now, so a bad URL or story id is refused before the caller does any work.
    if (opts)
        validateSmokeOptions(opts);
    return opts && (() => runSmokeChecks(opts, ctx.logger, ctx.signal));
}

;// CONCATENATED MODULE: ./src/cli/commands/restore.ts






/** `storage-ops restore`: put a verified backup back, with a safety copy, then smoke-check. */
const restoreCommand = {
    name: 'restore',
    summary: 'Restore a verified backup atomically (safety copy first), then run smoke checks',
    usage: `restore --store DIR --backup NAME|latest [--db-path P] [--backend B] [--stop-writers CMD] [--start-writers CMD] [--expect-schema-version V] [${SMOKE_USAGE}] [--revert-on-failure] [--dry-run] [--json]`,
    options: {
        store: { type: 'string' },
        backup: { type: 'string' },
        'db-path': { type: 'string' },
        backend: { type: 'string' },
        'stop-writers': { type: 'string' },
        'start-writers': { type: 'string' },
        'expect-schema-version': { type: 'string' },
        'revert-on-failure': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        ...SMOKE_FLAGS,
    },
    async run(values, _positionals, ctx) {
        const store = new LocalStore(external_node_path_default().resolve(ctx.cwd, str(values, 'store', true)));
        const backendFlag = str(values, 'backend');
        const config = resolveConfig(ctx.env, { backend: backendFlag, dbPath: str(values, 'db-path') }, ctx.cwd);
        // Parsed before any work so a bad smoke flag is refused with nothing touched.
        const smoke = smokeRunnerFromFlags(values, ctx);
        const result = await runRestore({
            smoke,
            store,
            backup: str(values, 'backup', true),
            config,
            backendExplicit: backendFlag !== undefined,
            writers: { stop: str(values, 'stop-writers'), start: str(values, 'start-writers') },
            expectSchemaVersion: str(values, 'expect-schema-version'),
            revertOnFailure: bool(values, 'revert-on-failure'),
            dryRun: bool(values, 'dry-run'),
            logger: ctx.logger,
            signal: ctx.signal,
            cwd: ctx.cwd,
            env: ctx.env,
        });
        if (bool(values, 'json'))
            jsonOut(ctx, result);
        else
            ctx.out(renderRestore(result));
        return 0;
    },
};
/** Human-readable restore report (the plan for --dry-run). */
function renderRestore(r) {
    const lines = [`${r.dryRun ? 'Plan to restore' : 'Restored'} ${r.restoredFrom} (${r.plan.backend})`];
    for (const f of r.plan.files) {
        lines.push(`  ${f.from} -> ${f.target}${f.safetyCopy ? `  (safety copy: ${f.safetyCopy})` : '  (new file)'}`);
    }
    const sidecars = r.dryRun ? r.plan.sidecars : r.removedSidecars;
    if (sidecars.length)
        lines.push(`  ${r.dryRun ? 'will remove' : 'removed'} stale sidecars: ${sidecars.join(', ')}`);
    if (r.plan.commands.stopWriters)
        lines.push(`  stop writers:  ${r.plan.commands.stopWriters}`);
    if (r.plan.commands.startWriters)
        lines.push(`  start writers: ${r.plan.commands.startWriters}`);
    if (!r.dryRun) {
        lines.push(`  phases: ${Object.entries(r.phasesMs)
            .map(([k, v]) => `${k} ${v} ms`)
            .join(', ')}`);
    }
    return lines.join('\n') + '\n';
}

;// CONCATENATED MODULE: ./src/core/rollback.ts
/**
 * The runbook's Rollback Policy, from a prototype backend back to SQLite:
 * set STORY_GEN_ANALYSIS_BACKEND=sqlite and drop the prototype flags in the
 * service's env file, restart the API workers, wait until healthy (smoke
 * checks), then run the rollback checks.
 *
 * Everything is validated before the env file is touched. A changed env file
 * is first copied to `<file>.bak-<UTC stamp>` (the stamp restore's safety copies use), then replaced atomically.
 * A later phase failing does not undo the edit: SQLite is the safe backend to
 * fall back to, and the backup copy is named in the result.
 */









/** The edit the Rollback Policy makes to an env file. */
const ROLLBACK_EDIT = {
    set: { [ENV.backend]: 'sqlite' },
    remove: [ENV.mongoFlag, ENV.graphFlag],
};
const ROLLBACK_DEFAULTS = {
    /** Time the restart command may take. */
    restartTimeoutMs: 300_000,
};
async function freeBackupName(file, stamp) {
    for (let n = 0;; n++) {
        const candidate = `${file}.bak-${stamp}${n === 0 ? '' : `-${n}`}`;
        try {
            await promises_default().lstat(candidate);
        }
        catch {
            return candidate;
        }
    }
}
/** Runs a rollback (or plans it with `dryRun`). Resolves with the result; UsageErrors for bad input. */
async function runRollback(opts, logger, signal) {
    const given = external_node_path_default().resolve(opts.cwd, opts.envFile);
    let envFile;
    let original;
    try {
        envFile = await promises_default().realpath(given);
        original = await promises_default().readFile(envFile);
    }
    catch (err) {
        throw new InputError(`--env-file: cannot read ${given}: ${err.code ?? err}`, {
            cause: err,
        });
    }
    if (opts.smoke)
        validateSmokeOptions(opts.smoke);
    const checks = opts.checks === null
        ? null
        : {
            ...opts.checks,
            steps: opts.checks?.steps ?? DEFAULT_ROLLBACK_STEPS,
            cwd: opts.checks?.cwd ?? opts.cwd,
        };
    if (checks)
        validateChecklistOptions(checks);
    const edit = editEnv(original, { set: { ...ROLLBACK_EDIT.set }, remove: ROLLBACK_EDIT.remove });
    const diff = renderEnvDiff(external_node_path_default().basename(envFile), edit.changes);
    // Self-check: the edited file must read as sqlite without flags under the
    // same rules preflight applies, or nothing is written.
    const after = parseEnv(edit.output).values;
    let backendAfter;
    try {
        backendAfter = normaliseBackend(after[ENV.backend]);
    }
    catch {
        backendAfter = String(after[ENV.backend]);
    }
    if (backendAfter !== 'sqlite' || ENV.mongoFlag in after || ENV.graphFlag in after) {
        throw new RollbackError(`${envFile}: the edited file would not select sqlite without flags; nothing was written`);
    }
    const warnings = edit.unparsed.map((u) => `${envFile}:${u.line}: mentions ${u.key} but does not parse as KEY=value; left unchanged, check it by hand`);
    for (const w of warnings)
        logger.warn(w);
    const plan = [
        edit.changed
            ? `edit ${envFile}: ${edit.changes.map((c) => `${c.action} ${c.key}`).join(', ')} (backup copy beside it)`
            : `leave ${envFile} as it is: already on sqlite without prototype flags`,
        opts.restartCommand ? `restart: ${opts.restartCommand}` : 'restart: none given (restart the API workers yourself)',
        opts.smoke ? `smoke checks against ${opts.smoke.baseUrl}` : 'smoke checks: skipped (no base URL)',
        checks ? `rollback checks: ${checks.steps.join(' ; ')}` : 'rollback checks: skipped',
    ];
    const result = {
        ok: false,
        dryRun: opts.dryRun === true,
        cancelled: false,
        envFile,
        changed: edit.changed,
        changes: edit.changes,
        diff,
        backupPath: null,
        restart: null,
        smoke: null,
        checks: null,
        failedPhase: null,
        message: '',
        plan,
        warnings,
    };
    if (opts.dryRun) {
        result.ok = true;
        result.message = edit.changed ? 'dry run: nothing was changed' : 'dry run: the env file needs no change';
        return result;
    }
    const fail = (phase, why) => {
        result.failedPhase = phase;
        const where = result.backupPath ? `; the env file was changed (original kept at ${result.backupPath})` : '';
        result.message = `rollback ${phase} failed: ${why}${where}`;
        logger.error(result.message);
        return result;
    };
    const cancelled = (phase) => {
        result.cancelled = true;
        return fail(phase, 'interrupted');
    };
    if (signal?.aborted)
        throw new CancelledError('rollback interrupted before the env file was changed');
    if (edit.changed) {
        const backupPath = await freeBackupName(envFile, formatStamp((opts.now ?? (() => new Date()))()));
        try {
            await copyFileDurable(envFile, backupPath);
            result.backupPath = backupPath;
            await writeFileAtomic(envFile, edit.output);
        }
        catch (err) {
            return fail('env-file', `cannot write ${envFile}: ${err.message}`);
        }
        logger.info(`env file updated: ${envFile} (backup: ${backupPath})`);
    }
    else {
        logger.info(`env file already selects sqlite without prototype flags: ${envFile}`);
    }
    if (opts.restartCommand) {
        logger.info(`restarting: ${opts.restartCommand}`);
        const r = await runShellCommand(opts.restartCommand, {
            cwd: opts.commandCwd ?? checks?.cwd ?? opts.cwd,
            timeoutMs: opts.restartTimeoutMs ?? ROLLBACK_DEFAULTS.restartTimeoutMs,
        }, signal).done;
        result.restart = { command: opts.restartCommand, ...r };
        if (r.status === 'cancelled')
            return cancelled('restart');
        if (r.status !== 'passed')
            return fail('restart', `${opts.restartCommand}: ${r.message}`);
    }
    if (opts.smoke) {
        try {
            result.smoke = await runSmokeChecks(opts.smoke, logger, signal);
        }
        catch (err) {
            if (err instanceof CancelledError)
                return cancelled('smoke');
            throw err;
        }
        if (!result.smoke.ok)
            return fail('smoke', result.smoke.message);
    }
    if (checks) {
        result.checks = await runChecklist(checks, logger, signal);
        if (result.checks.cancelled)
            return cancelled('checks');
        if (!result.checks.ok) {
            const bad = result.checks.steps.filter((s) => s.status !== 'passed');
            return fail('checks', bad.map((s) => `step ${s.index} ${s.status}`).join(', '));
        }
    }
    result.ok = true;
    result.message = edit.changed ? 'rolled back to sqlite' : 'already on sqlite; checks passed';
    return result;
}

;// CONCATENATED MODULE: ./src/cli/commands/rollback.ts









function rollback_render(r) {
    let text = r.diff;
    if (r.dryRun) {
        text += '\nplan:\n' + r.plan.map((p, i) => `  ${i + 1}. ${p}`).join('\n') + '\n';
    }
    else {
        if (r.backupPath)
            text += `original env file kept at ${r.backupPath}\n`;
        if (r.restart)
            text += `restart: ${r.restart.status} (${r.restart.message || 'exit 0'})\n`;
        if (r.smoke)
            text += '\n' + smokeTable(r.smoke);
        if (r.checks)
            text += '\n' + checklistTable(r.checks);
    }
    return text + `\n${r.message}\n`;
}
/** `storage-ops rollback`: the runbook's Rollback Policy, prototype backend back to SQLite. */
const rollbackCommand = {
    name: 'rollback',
    summary: 'Switch an env file back to sqlite, restart, smoke-check and run the rollback checks',
    usage: `rollback --env-file FILE [--restart CMD] [--restart-timeout S] [${SMOKE_USAGE}] ${checklistUsage('step-timeout')} [--no-checks] [--dry-run] [--json]`,
    options: {
        'env-file': { type: 'string' },
        restart: { type: 'string' },
        'restart-timeout': { type: 'string' },
        ...SMOKE_FLAGS,
        ...checklistFlags('step-timeout'),
        'no-checks': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
    },
    async run(values, positionals, ctx) {
        if (positionals.length > 0)
            throw new UsageError(`rollback: unexpected argument "${positionals[0]}"`);
        const envFile = str(values, 'env-file', true);
        const restartCommand = str(values, 'restart');
        if (restartCommand !== undefined && restartCommand.trim() === '') {
            throw new UsageError('--restart: must be a non-empty shell command');
        }
        const restartTimeout = seconds(values, 'restart-timeout');
        const smoke = smokeOptionsFromFlags(values, ctx.env, { required: false });
        const noChecks = bool(values, 'no-checks');
        if (noChecks && (values.step !== undefined || values['steps-file'] !== undefined)) {
            throw new UsageError('--no-checks: cannot be combined with --step or --steps-file');
        }
        const cwdFlag = str(values, 'cwd');
        const commandCwd = cwdFlag === undefined ? undefined : external_node_path_default().resolve(ctx.cwd, cwdFlag);
        if (noChecks && commandCwd !== undefined && !(await promises_default().stat(commandCwd).catch(() => null))?.isDirectory()) {
            throw new UsageError(`--cwd: ${cwdFlag} is not a directory`);
        }
        const checks = noChecks
            ? null
            : await checklistOptionsFromFlags(values, ctx, 'step-timeout', DEFAULT_ROLLBACK_STEPS);
        const result = await runRollback({
            envFile,
            cwd: ctx.cwd,
            restartCommand,
            commandCwd,
            restartTimeoutMs: restartTimeout === undefined ? undefined : Math.round(restartTimeout * 1000),
            smoke,
            checks,
            dryRun: bool(values, 'dry-run'),
        }, ctx.logger, ctx.signal);
        if (values.json)
            jsonOut(ctx, result);
        else
            ctx.out(rollback_render(result));
        if (result.cancelled)
            return 130;
        return result.ok ? 0 : 1;
    },
};

;// CONCATENATED MODULE: ./src/cli/commands/smoke.ts





/** `storage-ops smoke`: the runbook's smoke checks against a running service. */
const smokeCommand = {
    name: 'smoke',
    summary: "Check a running service: GET /healthz, then a story's latest analysis (retries until a deadline)",
    usage: `smoke ${SMOKE_USAGE} [--json]`,
    options: { ...SMOKE_FLAGS, json: { type: 'boolean' } },
    async run(values, positionals, ctx) {
        if (positionals.length > 0)
            throw new UsageError(`smoke: unexpected argument "${positionals[0]}"`);
        const opts = smokeOptionsFromFlags(values, ctx.env, { required: true });
        const result = await runSmokeChecks(opts, ctx.logger, ctx.signal);
        if (values.json)
            jsonOut(ctx, result);
        else
            ctx.out(smokeTable(result));
        return result.ok ? 0 : 1;
    },
};

;// CONCATENATED MODULE: ./src/cli/commands/verify.ts






/** `storage-ops verify`: re-check a stored backup completely. */
const verifyCommand = {
    name: 'verify',
    summary: 'Re-check a backup: manifest, sizes, sha256, no extra files, SQLite integrity, JSONL lines',
    usage: 'verify (--store DIR --backup NAME|latest | --backup PATH) [--json]',
    options: {
        store: { type: 'string' },
        backup: { type: 'string' },
        json: { type: 'boolean' },
    },
    async run(values, _positionals, ctx) {
        const ref = str(values, 'backup', true);
        const storeDir = str(values, 'store');
        let dir;
        // A value with a path separator is a backup folder path; otherwise a name in --store.
        if (ref.includes('/') || ref.includes((external_node_path_default()).sep)) {
            dir = external_node_path_default().resolve(ctx.cwd, ref);
            const st = await promises_default().stat(dir).catch(() => null);
            if (!st?.isDirectory())
                throw new UsageError(`--backup: ${dir} is not a backup folder`);
        }
        else {
            if (!storeDir)
                throw new UsageError('--store: required when --backup is a name; or give --backup a folder path');
            const store = new LocalStore(external_node_path_default().resolve(ctx.cwd, storeDir));
            const name = ref === 'latest' ? (await store.list())[0]?.name : ref;
            if (!name)
                throw new UsageError(`--backup: latest asked for, but ${store.dir} holds no backups`);
            dir = (await store.open(name)).dir;
        }
        const report = await verifyBackupDir(dir);
        ctx.logger.info(`${report.name}: ok (${report.files.map((f) => `${f.name}: ${f.checks.join(', ')}`).join('; ')})`);
        if (bool(values, 'json'))
            jsonOut(ctx, { ok: true, name: report.name, path: dir, files: report.files });
        else
            ctx.out(`ok\t${report.name}\n`);
        return 0;
    },
};

;// CONCATENATED MODULE: ./src/cli/commands/index.ts










/** Every subcommand, in `--help` order. Add new commands here. */
const COMMANDS = [
    backupCommand,
    verifyCommand,
    listCommand,
    restoreCommand,
    planCommand,
    pruneCommand,
    smokeCommand,
    checklistCommand,
    rollbackCommand,
    preflightCommand,
];

;// CONCATENATED MODULE: ./src/cli/logger.ts
/** CLI logger: everything to stderr so stdout carries only results. */
function stderrLogger(opts = {}) {
    const write = opts.write ?? ((s) => void process.stderr.write(s));
    return {
        debug: (m) => {
            if (opts.verbose)
                write(`debug: ${m}\n`);
        },
        info: (m) => write(`${m}\n`),
        warn: (m) => write(`warning: ${m}\n`),
        error: (m) => write(`error: ${m}\n`),
        group: async (name, fn) => {
            write(`== ${name}\n`);
            return fn();
        },
    };
}

;// CONCATENATED MODULE: ./src/cli/main.ts
/**
 * CLI adapter: parses argv, wires a stderr logger and signal handling, runs one
 * command and turns errors into exit codes (2 usage, 1 failure, 130 cancelled).
 */





function help() {
    const width = Math.max(...COMMANDS.map((c) => c.name.length));
    return [
        `storage-ops ${TOOL_VERSION}: safe, verified backups, restores, retention and rollback for story_gen storage`,
        '',
        'Usage: storage-ops <command> [options]   (storage-ops <command> --help for details)',
        '',
        ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
        '',
        'Exit codes: 0 success, 1 operation failed, 2 bad usage or input, 130 interrupted.',
    ].join('\n');
}
/** Runs the CLI and resolves to the exit code; never calls process.exit itself. */
async function run(argv, io = {}) {
    const out = io.out ?? ((s) => void process.stdout.write(s));
    const logger = io.logger ?? stderrLogger({ verbose: argv.includes('--verbose') });
    const [name, ...rest] = argv.filter((a) => a !== '--verbose');
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        out(help() + '\n');
        return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === 'version') {
        out(`${TOOL_VERSION}\n`);
        return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) {
        logger.error(`unknown command "${name}"; valid commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
        return 2;
    }
    const controller = new AbortController();
    const onSignal = (sig) => {
        if (!controller.signal.aborted) {
            logger.warn(`received ${sig}: stopping, cleaning up and restarting writers if they were stopped`);
            controller.abort(sig);
        }
    };
    const ctx = {
        out,
        logger,
        env: io.env ?? process.env,
        cwd: io.cwd ?? process.cwd(),
        signal: io.signal ?? controller.signal,
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
        const { values, positionals } = parseCommandArgs(cmd, rest);
        if (values.help) {
            out(`Usage: storage-ops ${cmd.usage}\n\n${cmd.summary}\n`);
            return 0;
        }
        return await cmd.run(values, positionals, ctx);
    }
    catch (err) {
        if (err instanceof StorageOpsError) {
            logger.error(oneLine(err));
            if (err.cause)
                logger.debug(`cause: ${oneLine(err.cause)}`);
            return err.exitCode;
        }
        logger.error(`unexpected failure: ${oneLine(err)}`);
        if (err instanceof Error && err.stack)
            logger.debug(err.stack);
        return 1;
    }
    finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
    }
}


/***/ })

};
