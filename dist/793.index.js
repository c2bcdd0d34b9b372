export const id = 793;
export const ids = [793];
export const modules = {

/***/ 25793:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ArtifactStore: () => (/* binding */ ArtifactStore)
});

// UNUSED EXPORTS: extractBackup, normaliseDigest, retentionClampWarning

// EXTERNAL MODULE: ./node_modules/@actions/artifact/lib/artifact.js + 86 modules
var artifact = __webpack_require__(75203);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/core/config.ts
var config = __webpack_require__(84489);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(74296);
// EXTERNAL MODULE: ./src/core/manifest.ts
var core_manifest = __webpack_require__(84414);
// EXTERNAL MODULE: ./src/core/naming.ts
var naming = __webpack_require__(92607);
// EXTERNAL MODULE: ./src/core/types.ts
var types = __webpack_require__(73054);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
;// CONCATENATED MODULE: ./src/stores/zip-extract.ts
/**
 * A strict reader for the zip archives that GitHub artifacts are stored as.
 *
 * We extract downloaded artifacts ourselves instead of letting the artifact
 * library unzip them, because its extractor silently rewrites hostile names
 * (`../x` becomes `./x`) where we must refuse the whole archive: every entry
 * name is checked before a single byte is written, so nothing can ever land
 * outside the target folder. Backups are flat folders, so only plain file
 * names are accepted: no directories, no `..`, no absolute paths, no links.
 *
 * Written from PKWARE's APPNOTE: the central directory is authoritative (the
 * artifact library streams its zips, so local headers carry no sizes), zip64
 * records are honoured, and only stored (0) and deflated (8) entries exist.
 */







const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
/** A zip that is malformed or contains an entry we refuse. */
class UnsafeZipError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UnsafeZipError';
    }
}
/** Why a name is not a plain file name, or null when it is one. */
function unsafeEntryReason(name) {
    if (name === '')
        return 'has an empty name';
    if (name.includes('\0'))
        return 'has a NUL byte in its name';
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.startsWith('\\'))
        return 'is an absolute path';
    const parts = name.split(/[/\\]/);
    if (parts.includes('..'))
        return "climbs out of the folder with '..'";
    if (name.endsWith('/'))
        return 'is a directory (backups are flat)';
    if (parts.length > 1)
        return 'is inside a subfolder (backups are flat)';
    if (name === '.')
        return "is named '.'";
    return null;
}
/** Lists a zip's entries after checking every one; throws UnsafeZipError on the first bad entry. */
async function readZipEntries(zipPath) {
    const fh = await promises_default().open(zipPath, 'r');
    try {
        const { size: fileSize } = await fh.stat();
        const tailLen = Math.min(fileSize, 22 + U16_MAX);
        const tail = Buffer.alloc(tailLen);
        await fh.read(tail, 0, tailLen, fileSize - tailLen);
        let eocd = -1;
        for (let i = tailLen - 22; i >= 0; i--) {
            if (tail.readUInt32LE(i) === EOCD_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0)
            throw new UnsafeZipError('not a zip archive (no end-of-central-directory record)');
        let count = tail.readUInt16LE(eocd + 10);
        let cdSize = tail.readUInt32LE(eocd + 12);
        let cdOffset = tail.readUInt32LE(eocd + 16);
        if (count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
            const locAt = eocd - 20;
            if (locAt < 0 || tail.readUInt32LE(locAt) !== ZIP64_LOCATOR_SIG) {
                throw new UnsafeZipError('zip64 archive without its locator record');
            }
            const recOffset = Number(tail.readBigUInt64LE(locAt + 8));
            const rec = Buffer.alloc(56);
            await fh.read(rec, 0, 56, recOffset);
            if (rec.readUInt32LE(0) !== ZIP64_EOCD_SIG)
                throw new UnsafeZipError('zip64 end record is missing');
            count = Number(rec.readBigUInt64LE(32));
            cdSize = Number(rec.readBigUInt64LE(40));
            cdOffset = Number(rec.readBigUInt64LE(48));
        }
        if (cdOffset + cdSize > fileSize)
            throw new UnsafeZipError('central directory lies beyond the end of the file');
        const cd = Buffer.alloc(cdSize);
        await fh.read(cd, 0, cdSize, cdOffset);
        const entries = [];
        const seen = new Set();
        let p = 0;
        for (let n = 0; n < count; n++) {
            if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG)
                throw new UnsafeZipError('central directory is corrupt');
            const madeBy = cd.readUInt16LE(p + 4);
            const flags = cd.readUInt16LE(p + 8);
            const method = cd.readUInt16LE(p + 10);
            const crc = cd.readUInt32LE(p + 16);
            let compressedSize = cd.readUInt32LE(p + 20);
            let size = cd.readUInt32LE(p + 24);
            const nameLen = cd.readUInt16LE(p + 28);
            const extraLen = cd.readUInt16LE(p + 30);
            const commentLen = cd.readUInt16LE(p + 32);
            const externalAttrs = cd.readUInt32LE(p + 38);
            let localHeaderOffset = cd.readUInt32LE(p + 42);
            const nameBuf = cd.subarray(p + 46, p + 46 + nameLen);
            const name = nameBuf.toString(flags & 0x800 ? 'utf8' : 'latin1');
            const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
            p += 46 + nameLen + extraLen + commentLen;
            // zip64 extended information: the 64-bit values follow in a fixed order,
            // present only for fields whose 32-bit slot is saturated.
            for (let e = 0; e + 4 <= extra.length;) {
                const id = extra.readUInt16LE(e);
                const len = extra.readUInt16LE(e + 2);
                if (id === 0x0001) {
                    let q = e + 4;
                    const next = () => {
                        if (q + 8 > e + 4 + len)
                            throw new UnsafeZipError(`entry ${JSON.stringify(name)} has a short zip64 field`);
                        const v = Number(extra.readBigUInt64LE(q));
                        q += 8;
                        return v;
                    };
                    if (size === U32_MAX)
                        size = next();
                    if (compressedSize === U32_MAX)
                        compressedSize = next();
                    if (localHeaderOffset === U32_MAX)
                        localHeaderOffset = next();
                }
                e += 4 + len;
            }
            const label = JSON.stringify(name);
            const reason = unsafeEntryReason(name);
            if (reason)
                throw new UnsafeZipError(`entry ${label} ${reason}`);
            const fileType = (externalAttrs >>> 16) & 0o170000;
            if (madeBy >> 8 === 3 && fileType === 0o120000)
                throw new UnsafeZipError(`entry ${label} is a symbolic link`);
            if (madeBy >> 8 === 3 && fileType !== 0 && fileType !== 0o100000) {
                throw new UnsafeZipError(`entry ${label} is not a regular file`);
            }
            if (flags & 0x1)
                throw new UnsafeZipError(`entry ${label} is encrypted`);
            if (method !== 0 && method !== 8)
                throw new UnsafeZipError(`entry ${label} uses unsupported compression ${method}`);
            if (seen.has(name))
                throw new UnsafeZipError(`entry ${label} appears twice`);
            seen.add(name);
            entries.push({ name, method, crc32: crc, compressedSize, size, localHeaderOffset });
        }
        return entries;
    }
    finally {
        await fh.close();
    }
}
/** Counts, CRCs and hashes bytes on their way to disk. */
class Checker extends external_node_stream_.Transform {
    limit;
    bytes = 0;
    crc = 0;
    sha = (0,external_node_crypto_.createHash)('sha256');
    constructor(limit) {
        super();
        this.limit = limit;
    }
    _transform(chunk, _enc, cb) {
        this.bytes += chunk.length;
        // Stop a lying entry (a zip bomb) as soon as it passes its declared size.
        if (this.bytes > this.limit)
            return cb(new UnsafeZipError('entry is larger than the archive declares'));
        this.crc = external_node_zlib_default().crc32(chunk, this.crc);
        this.sha.update(chunk);
        cb(null, chunk);
    }
}
/**
 * Extracts one checked entry to `dest` (which must not exist: `wx` never
 * follows or overwrites anything). Returns its sha256 (hex).
 */
async function extractEntry(zipPath, entry, dest) {
    const fh = await promises_default().open(zipPath, 'r');
    let dataStart;
    try {
        const lfh = Buffer.alloc(30);
        await fh.read(lfh, 0, 30, entry.localHeaderOffset);
        if (lfh.readUInt32LE(0) !== LFH_SIG)
            throw new UnsafeZipError(`entry ${JSON.stringify(entry.name)} has no local header`);
        dataStart = entry.localHeaderOffset + 30 + lfh.readUInt16LE(26) + lfh.readUInt16LE(28);
    }
    finally {
        await fh.close();
    }
    const checker = new Checker(entry.size);
    // An empty stored entry has no data range to read (createReadStream rejects end < start).
    const source = entry.compressedSize === 0
        ? external_node_stream_.Readable.from([])
        : (0,external_node_fs_.createReadStream)(zipPath, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
    const streams = [source];
    if (entry.method === 8)
        streams.push(external_node_zlib_default().createInflateRaw());
    streams.push(checker, (0,external_node_fs_.createWriteStream)(dest, { flags: 'wx' }));
    await (0,external_node_stream_promises_.pipeline)(streams);
    if (checker.bytes !== entry.size) {
        throw new UnsafeZipError(`entry ${JSON.stringify(entry.name)} holds ${checker.bytes} bytes, not the ${entry.size} declared`);
    }
    if (checker.crc >>> 0 !== entry.crc32 >>> 0)
        throw new UnsafeZipError(`entry ${JSON.stringify(entry.name)} fails its CRC-32 check`);
    return checker.sha.digest('hex');
}
/** Reads one small entry into memory (for manifest.json). */
async function readEntry(zipPath, entry, maxBytes) {
    if (entry.size > maxBytes)
        throw new UnsafeZipError(`entry ${JSON.stringify(entry.name)} is larger than ${maxBytes} bytes`);
    const tmp = `${zipPath}.${external_node_path_default().basename(entry.name)}.read`;
    try {
        await extractEntry(zipPath, entry, tmp);
        return await promises_default().readFile(tmp);
    }
    finally {
        await promises_default().rm(tmp, { force: true });
    }
}

;// CONCATENATED MODULE: ./src/stores/zip-write.ts
/**
 * A streaming zip writer for backup folders, using Node's own zlib (deflate on
 * the thread pool, native CRC-32). The artifact library's built-in zip runs
 * its CRC-32 in JavaScript and is the slowest part of an upload; writing the
 * archive here and uploading it as one raw file (`skipArchive`) halves that.
 *
 * Every entry uses zip64 fields, so files over 4 GiB need no special path; the
 * reader in ./zip-extract.ts and every common unzip tool accept them. Sizes and
 * CRCs are patched into the local headers after each entry is written (the
 * output is a seekable file), so no data descriptors are needed.
 */




const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const zip_write_ZIP64_EOCD_SIG = 0x06064b50;
const zip_write_ZIP64_LOCATOR_SIG = 0x07064b50;
const zip_write_EOCD_SIG = 0x06054b50;
const U32 = 0xffffffff;
const VERSION = 45; // 4.5: zip64
const UTF8_NAMES = 0x0800;
/** DOS date and time of an instant (UTC), as zip headers store them. */
function dosDateTime(d) {
    const year = Math.max(1980, d.getUTCFullYear());
    return {
        time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
        date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    };
}
/**
 * Writes `files` (absolute paths; stored under their base names) into a new
 * zip at `zipPath`. `level` 0 stores, 1-9 deflate. Returns the zip's size.
 */
async function writeZip(zipPath, files, opts) {
    const { time, date } = dosDateTime(opts.mtime);
    const fh = await promises_default().open(zipPath, 'wx', 0o600);
    let pos = 0;
    const write = async (buf) => {
        await fh.write(buf, 0, buf.length, pos);
        pos += buf.length;
    };
    const written = [];
    try {
        for (const file of files) {
            opts.signal?.throwIfAborted();
            const name = Buffer.from(external_node_path_default().basename(file), 'utf8');
            const method = opts.level === 0 ? 0 : 8;
            const offset = pos;
            const header = Buffer.alloc(30 + name.length + 20);
            header.writeUInt32LE(LOCAL_SIG, 0);
            header.writeUInt16LE(VERSION, 4);
            header.writeUInt16LE(UTF8_NAMES, 6);
            header.writeUInt16LE(method, 8);
            header.writeUInt16LE(time, 10);
            header.writeUInt16LE(date, 12);
            // crc at 14 is patched below
            header.writeUInt32LE(U32, 18);
            header.writeUInt32LE(U32, 22);
            header.writeUInt16LE(name.length, 26);
            header.writeUInt16LE(20, 28);
            name.copy(header, 30);
            header.writeUInt16LE(0x0001, 30 + name.length);
            header.writeUInt16LE(16, 32 + name.length);
            await write(header);
            let crc = 0;
            let size = 0;
            const source = (0,external_node_fs_.createReadStream)(file, { highWaterMark: 4 << 20 });
            source.on('data', (chunk) => {
                crc = external_node_zlib_default().crc32(chunk, crc);
                size += chunk.length;
            });
            const dataStart = pos;
            if (method === 0) {
                for await (const chunk of source)
                    await write(chunk);
            }
            else {
                const deflate = external_node_zlib_default().createDeflateRaw({ level: opts.level, chunkSize: 1 << 20 });
                source.on('error', (err) => deflate.destroy(err));
                source.pipe(deflate);
                for await (const chunk of deflate)
                    await write(chunk);
            }
            const compressed = pos - dataStart;
            const patch = Buffer.alloc(4);
            patch.writeUInt32LE(crc >>> 0, 0);
            await fh.write(patch, 0, 4, offset + 14);
            const sizes = Buffer.alloc(16);
            sizes.writeBigUInt64LE(BigInt(size), 0);
            sizes.writeBigUInt64LE(BigInt(compressed), 8);
            await fh.write(sizes, 0, 16, offset + 30 + name.length + 4);
            written.push({ name, method, crc: crc >>> 0, size, compressed, offset });
        }
        const cdStart = pos;
        for (const w of written) {
            const h = Buffer.alloc(46 + w.name.length + 28);
            h.writeUInt32LE(CENTRAL_SIG, 0);
            h.writeUInt16LE(VERSION | (3 << 8), 4); // made by: Unix
            h.writeUInt16LE(VERSION, 6);
            h.writeUInt16LE(UTF8_NAMES, 8);
            h.writeUInt16LE(w.method, 10);
            h.writeUInt16LE(time, 12);
            h.writeUInt16LE(date, 14);
            h.writeUInt32LE(w.crc, 16);
            h.writeUInt32LE(U32, 20);
            h.writeUInt32LE(U32, 24);
            h.writeUInt16LE(w.name.length, 28);
            h.writeUInt16LE(28, 30);
            // comment length, disk number, internal attributes: 0
            h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
            h.writeUInt32LE(U32, 42);
            w.name.copy(h, 46);
            const x = 46 + w.name.length;
            h.writeUInt16LE(0x0001, x);
            h.writeUInt16LE(24, x + 2);
            h.writeBigUInt64LE(BigInt(w.size), x + 4);
            h.writeBigUInt64LE(BigInt(w.compressed), x + 12);
            h.writeBigUInt64LE(BigInt(w.offset), x + 20);
            await write(h);
        }
        const cdSize = pos - cdStart;
        const zip64At = pos;
        const end = Buffer.alloc(56 + 20 + 22);
        end.writeUInt32LE(zip_write_ZIP64_EOCD_SIG, 0);
        end.writeBigUInt64LE(44n, 4);
        end.writeUInt16LE(VERSION | (3 << 8), 12);
        end.writeUInt16LE(VERSION, 14);
        end.writeBigUInt64LE(BigInt(written.length), 24);
        end.writeBigUInt64LE(BigInt(written.length), 32);
        end.writeBigUInt64LE(BigInt(cdSize), 40);
        end.writeBigUInt64LE(BigInt(cdStart), 48);
        end.writeUInt32LE(zip_write_ZIP64_LOCATOR_SIG, 56);
        end.writeBigUInt64LE(BigInt(zip64At), 64);
        end.writeUInt32LE(1, 72);
        end.writeUInt32LE(zip_write_EOCD_SIG, 76);
        end.writeUInt16LE(0xffff, 84);
        end.writeUInt16LE(0xffff, 86);
        end.writeUInt32LE(U32, 88);
        end.writeUInt32LE(U32, 92);
        await write(end);
        await fh.sync();
    }
    catch (err) {
        await fh.close().catch(() => { });
        await promises_default().rm(zipPath, { force: true });
        throw err;
    }
    await fh.close();
    return pos;
}

;// CONCATENATED MODULE: ./src/stores/artifact-store.ts
/**
 * GitHub Actions artifacts as a BackupStore.
 *
 * One backup is one artifact named like the backup (`<prefix>-<UTC stamp>`),
 * a zip of the backup folder (manifest.json + data files), uploaded through
 * `@actions/artifact`. The artifact library only sees one workflow run, so
 * listing and deleting across runs go through the repository REST API, and
 * downloads use `findBy` with a token.
 *
 * Quirks handled here (see shared/reference/github_actions_platform.md §3, §8):
 * - `uploadArtifact` returns the digest as bare hex; REST and downloads use
 *   `sha256:<hex>`. We always store and compare the `sha256:` form.
 * - REST `?name=` is an exact-match filter, so `list()` reads every page and
 *   filters by prefix itself.
 * - The REST list includes expired artifacts (`expired: true`); they are gone
 *   for all purposes and never listed.
 * - The library's own extractor rewrites hostile entry names instead of
 *   refusing them, so we download the raw zip and extract it with strict
 *   checks (./zip-extract.ts).
 * - `@actions/github` fixes its default base URL when first imported; our own
 *   REST client is given `GITHUB_API_URL` explicitly.
 */











/** Largest manifest.json we read into memory. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Characters the artifact service refuses in names (toolkit path-and-artifact-name-validation). */
const BAD_ARTIFACT_CHARS = /[":<>|*?\r\n\\/]/;
/** `sha256:<hex>` whatever form the digest came in; undefined when there is none. */
function normaliseDigest(digest) {
    if (!digest)
        return undefined;
    return digest.startsWith('sha256:') ? digest : `sha256:${digest}`;
}
/**
 * The warning to give when the repository's retention limit is shorter than
 * the retention policy needs; null when it is not.
 */
function retentionClampWarning(requestedDays, maxDays) {
    if (!requestedDays || !maxDays || requestedDays <= maxDays)
        return null;
    return (`Backups should be kept ${requestedDays} days, but this repository deletes artifacts after at most ` +
        `${maxDays} days (GITHUB_RETENTION_DAYS=${maxDays}). They will expire after ${maxDays} days, so the ` +
        `longest retention tier cannot be kept that long here. Raise the artifact retention limit in the ` +
        `repository or organization settings (public repositories allow up to 90 days, private ones 400), ` +
        `or keep long-term backups in another store.`);
}
function statusOf(err) {
    const s = err?.status;
    return typeof s === 'number' ? s : undefined;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Backups stored as GitHub Actions artifacts of one repository. */
class ArtifactStore {
    prefix;
    opts;
    artifacts;
    octokit;
    maxRetentionDays;
    warnedRetention = false;
    constructor(options) {
        this.opts = options;
        this.prefix = options.prefix;
        this.artifacts = options.artifactClient ?? new artifact/* DefaultArtifactClient */.t9();
        const envMax = Number.parseInt(process.env.GITHUB_RETENTION_DAYS ?? '', 10);
        this.maxRetentionDays = options.maxRetentionDays ?? (Number.isFinite(envMax) && envMax > 0 ? envMax : undefined);
        if (options.octokit) {
            this.octokit = options.octokit;
        }
        else {
            const baseUrl = options.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
            this.octokit = (0,github/* getOctokit */.Q)(options.token, { baseUrl });
            this.addRetries(this.octokit, options.retryDelayMs ?? 1000);
        }
    }
    describe() {
        return `artifacts of ${this.opts.owner}/${this.opts.repo} (prefix ${this.prefix})`;
    }
    /** Retention in days actually requested from GitHub (clamped to the repository maximum). */
    effectiveRetentionDays() {
        const wanted = this.opts.retentionDays;
        if (!wanted)
            return undefined;
        return this.maxRetentionDays ? Math.min(wanted, this.maxRetentionDays) : wanted;
    }
    /** Plain GitHub REST retries: the default Octokit retries nothing. */
    addRetries(octokit, delayMs) {
        octokit.hook.wrap('request', async (request, options) => {
            for (let attempt = 1;; attempt++) {
                try {
                    return await request(options);
                }
                catch (err) {
                    const status = statusOf(err);
                    const retryable = status === undefined || status === 429 || status >= 500;
                    if (!retryable || attempt >= 3)
                        throw err;
                    this.opts.logger.debug(`GitHub API ${options.method} ${options.url} failed (${status ?? 'network'}); retrying`);
                    await sleep(delayMs * attempt);
                }
            }
        });
    }
    async createStaging(name) {
        this.checkName(name, 'backup name');
        const existing = await this.findByName(name);
        if (existing.length > 0) {
            throw new errors/* NameTakenError */.B6(`backup ${name} already exists as artifact ${existing[0].id} in ${this.repoLabel()}`);
        }
        try {
            await promises_default().mkdir(this.opts.tempDir, { recursive: true });
            return await promises_default().mkdtemp(external_node_path_default().join(this.opts.tempDir, `staging-${name}-`));
        }
        catch (err) {
            throw new errors/* StoreError */.AD(`cannot create a staging folder in ${this.opts.tempDir}: ${(0,errors/* oneLine */.TN)(err)}`, { cause: err });
        }
    }
    async discardStaging(stagingDir) {
        // Only ever delete our own staging folders, whatever path we are handed.
        const rel = external_node_path_default().relative(external_node_path_default().resolve(this.opts.tempDir), external_node_path_default().resolve(stagingDir));
        if (!rel.startsWith('staging-') || rel.includes((external_node_path_default()).sep)) {
            this.opts.logger.debug(`not removing ${stagingDir}: it is not a staging folder of this store`);
            return;
        }
        await promises_default().rm(stagingDir, { recursive: true, force: true }).catch(() => { });
    }
    async publish(name, stagingDir, manifest) {
        this.checkName(name, 'backup name');
        const existing = await this.findByName(name);
        if (existing.length > 0) {
            throw new errors/* NameTakenError */.B6(`backup ${name} already exists as artifact ${existing[0].id} in ${this.repoLabel()}`);
        }
        const files = await this.stagedFiles(name, stagingDir, manifest);
        const warning = retentionClampWarning(this.opts.retentionDays, this.maxRetentionDays);
        if (warning && !this.warnedRetention) {
            this.warnedRetention = true;
            this.opts.logger.warn(warning);
        }
        const retentionDays = this.effectiveRetentionDays();
        let result;
        // We write the zip ourselves (Node's zlib and native CRC-32) and upload it
        // as one raw file; the artifact keeps the backup's name (skipArchive names
        // the artifact after the file) and is still a zip archive.
        const zipDir = await promises_default().mkdtemp(external_node_path_default().join(this.opts.tempDir, '.upload-'));
        const zipPath = external_node_path_default().join(zipDir, name);
        try {
            await writeZip(zipPath, files, {
                level: this.opts.compressionLevel ?? 1,
                mtime: new Date(manifest.createdAt),
            });
            result = await this.artifacts.uploadArtifact(name, [zipPath], zipDir, {
                ...(retentionDays ? { retentionDays } : {}),
                skipArchive: true,
            });
        }
        catch (err) {
            throw this.uploadError(name, err);
        }
        finally {
            await promises_default().rm(zipDir, { recursive: true, force: true });
        }
        if (result.id === undefined)
            throw new errors/* StoreError */.AD(`uploading backup ${name}: GitHub returned no artifact id`);
        const digest = normaliseDigest(result.digest);
        this.opts.logger.info(`Uploaded backup ${name} as artifact ${result.id} of run ${this.opts.runId} (${result.size ?? 0} bytes, ${digest ?? 'no digest'}` +
            `${retentionDays ? `, kept ${retentionDays} days` : ''})`);
        // Like a local publish (a rename), the staged folder is consumed.
        await this.discardStaging(stagingDir);
        return {
            name,
            createdAt: ((0,naming/* parseBackupName */.Df)(name)?.createdAt ?? new Date(manifest.createdAt)).toISOString(),
            backend: manifest.backend,
            bytes: result.size ?? 0,
            verified: true,
            id: String(result.id),
            ...(digest ? { digest } : {}),
            ...(this.opts.runId ? { runId: this.opts.runId } : {}),
        };
    }
    async list() {
        const byName = new Map();
        for (const a of await this.listAll()) {
            if (a.expired)
                continue;
            if ((0,naming/* parseBackupName */.Df)(a.name)?.prefix !== this.prefix)
                continue;
            const seen = byName.get(a.name);
            if (!seen || a.id > seen.id)
                byName.set(a.name, a);
        }
        const out = [...byName.values()].map((a) => this.toStored(a));
        return out.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    }
    async open(name) {
        this.checkName(name);
        const found = await this.findByName(name);
        if (found.length === 0)
            throw new errors/* NotFoundError */.m_(`--backup: no artifact named ${name} in ${this.repoLabel()}`);
        const artifact = found[0];
        const runId = artifact.workflow_run?.id;
        if (!runId)
            throw new errors/* StoreError */.AD(`artifact ${name} (${artifact.id}) has no workflow run; cannot download it`);
        await promises_default().mkdir(this.opts.tempDir, { recursive: true });
        const work = await promises_default().mkdtemp(external_node_path_default().join(this.opts.tempDir, `open-${name}-`));
        const release = async () => {
            await promises_default().rm(work, { recursive: true, force: true });
        };
        try {
            const dir = await this.download(name, artifact, runId, work);
            return { name, dir, release };
        }
        catch (err) {
            await release();
            if (err instanceof errors/* StorageOpsError */.Qj)
                throw err;
            throw new errors/* StoreError */.AD(`opening backup ${name} (artifact ${artifact.id}): ${(0,errors/* oneLine */.TN)(err)}`, { cause: err });
        }
    }
    async remove(name) {
        this.checkName(name);
        const found = await this.findByName(name, true);
        for (const a of found) {
            try {
                await this.octokit.rest.actions.deleteArtifact({
                    owner: this.opts.owner,
                    repo: this.opts.repo,
                    artifact_id: a.id,
                });
                this.opts.logger.info(`Deleted artifact ${a.id} (${name})`);
            }
            catch (err) {
                // Someone (another prune, or expiry) got there first: the goal is met.
                if (statusOf(err) === 404)
                    continue;
                const hint = statusOf(err) === 403 ? ' (the token needs `actions: write`)' : '';
                throw new errors/* StoreError */.AD(`deleting artifact ${a.id} (${name}) from ${this.repoLabel()}: ${(0,errors/* oneLine */.TN)(err)}${hint}`, {
                    cause: err,
                });
            }
        }
    }
    // ---- internals ----------------------------------------------------------
    repoLabel() {
        return `${this.opts.owner}/${this.opts.repo}`;
    }
    /** Plain backup names only (UsageError), and nothing the artifact service would refuse. */
    checkName(name, flag = '--backup') {
        (0,naming/* validateBackupName */.I_)(name, flag);
        if (BAD_ARTIFACT_CHARS.test(name)) {
            throw new errors/* UsageError */.eb(`${flag}: "${name}" cannot be an artifact name; avoid " : < > | * ? \\ / and line breaks`);
        }
    }
    /** The staged folder must hold exactly manifest.json and the manifest's files, all regular. */
    async stagedFiles(name, stagingDir, manifest) {
        let entries;
        try {
            entries = await promises_default().readdir(stagingDir, { withFileTypes: true });
        }
        catch (err) {
            throw new errors/* StoreError */.AD(`publishing ${name}: cannot read staging folder ${stagingDir}: ${(0,errors/* oneLine */.TN)(err)}`, {
                cause: err,
            });
        }
        const expected = new Set([types/* MANIFEST_FILE */.h, ...manifest.files.map((f) => f.name)]);
        for (const e of entries) {
            if (!e.isFile())
                throw new errors/* StoreError */.AD(`publishing ${name}: ${e.name} in the staging folder is not a regular file`);
            if (!expected.has(e.name))
                throw new errors/* StoreError */.AD(`publishing ${name}: ${e.name} is not listed in the manifest`);
        }
        const present = new Set(entries.map((e) => e.name));
        for (const f of expected) {
            if (!present.has(f))
                throw new errors/* StoreError */.AD(`publishing ${name}: ${f} is missing from the staging folder`);
        }
        return [...expected].map((f) => external_node_path_default().join(stagingDir, f));
    }
    /** Every artifact of the repository, all pages. */
    async listAll() {
        try {
            const out = [];
            const pages = this.octokit.paginate.iterator(this.octokit.rest.actions.listArtifactsForRepo, {
                owner: this.opts.owner,
                repo: this.opts.repo,
                per_page: 100,
            });
            for await (const page of pages)
                out.push(...page.data);
            return out;
        }
        catch (err) {
            throw new errors/* StoreError */.AD(`listing artifacts of ${this.repoLabel()}: ${(0,errors/* oneLine */.TN)(err)}${this.permissionHint(err)}`, {
                cause: err,
            });
        }
    }
    /** Artifacts with exactly this name, newest id first; expired ones only when asked. */
    async findByName(name, includeExpired = false) {
        try {
            const all = (await this.octokit.paginate(this.octokit.rest.actions.listArtifactsForRepo, {
                owner: this.opts.owner,
                repo: this.opts.repo,
                name,
                per_page: 100,
            }));
            return all.filter((a) => a.name === name && (includeExpired || !a.expired)).sort((a, b) => b.id - a.id);
        }
        catch (err) {
            throw new errors/* StoreError */.AD(`looking up artifact ${name} in ${this.repoLabel()}: ${(0,errors/* oneLine */.TN)(err)}${this.permissionHint(err)}`, {
                cause: err,
            });
        }
    }
    permissionHint(err) {
        const s = statusOf(err);
        if (s === 401)
            return ' (the token was refused)';
        if (s === 403 || s === 404)
            return ' (the token needs `actions: read` on this repository)';
        return '';
    }
    toStored(a) {
        const parsed = (0,naming/* parseBackupName */.Df)(a.name);
        const createdAt = parsed?.createdAt ?? new Date(a.created_at ?? 0);
        const digest = normaliseDigest(a.digest);
        return {
            name: a.name,
            createdAt: createdAt.toISOString(),
            backend: this.backend(),
            bytes: a.size_in_bytes,
            // Only verified backups are ever uploaded under our names.
            verified: true,
            id: String(a.id),
            ...(digest ? { digest } : {}),
            ...(a.workflow_run?.id ? { runId: a.workflow_run.id } : {}),
        };
    }
    backend() {
        if (this.opts.backend)
            return this.opts.backend;
        return config/* BACKENDS */.A7.find((b) => this.prefix.endsWith(`-${b}`)) ?? 'unknown';
    }
    uploadError(name, err) {
        const msg = (0,errors/* oneLine */.TN)(err);
        if (/already exists/i.test(msg) || /\(409\)/.test(msg)) {
            return new errors/* NameTakenError */.B6(`backup ${name} already exists as an artifact of this workflow run`, { cause: err });
        }
        if (/storage quota/i.test(msg) || /insufficient usage/i.test(msg)) {
            return new errors/* StoreError */.AD(`uploading backup ${name}: the GitHub artifact storage quota of ${this.repoLabel()}'s account is used up; ` +
                `delete old artifacts or raise the spending limit`, { cause: err });
        }
        if (err?.name === 'GHESNotSupportedError') {
            return new errors/* StoreError */.AD(`uploading backup ${name}: GitHub Enterprise Server does not support these artifacts`, {
                cause: err,
            });
        }
        return new errors/* StoreError */.AD(`uploading backup ${name} to ${this.repoLabel()}: ${msg}`, { cause: err });
    }
    /** Downloads the raw zip (digest checked by the library), then extracts it strictly. */
    async download(name, artifact, runId, work) {
        const dlDir = external_node_path_default().join(work, 'download');
        const outDir = external_node_path_default().join(work, 'backup');
        const expectedHash = normaliseDigest(artifact.digest);
        if (!expectedHash) {
            this.opts.logger.warn(`Artifact ${name} (${artifact.id}) has no digest; relying on the manifest checksums alone`);
        }
        const { digestMismatch } = await this.artifacts.downloadArtifact(artifact.id, {
            path: dlDir,
            skipDecompress: true,
            ...(expectedHash ? { expectedHash } : {}),
            findBy: {
                token: this.opts.token,
                workflowRunId: runId,
                repositoryOwner: this.opts.owner,
                repositoryName: this.opts.repo,
            },
        });
        if (digestMismatch) {
            throw new errors/* StoreError */.AD(`backup ${name} (artifact ${artifact.id}): the downloaded bytes do not match the digest GitHub recorded (${expectedHash})`);
        }
        const downloaded = await promises_default().readdir(dlDir);
        if (downloaded.length !== 1) {
            throw new errors/* StoreError */.AD(`backup ${name} (artifact ${artifact.id}): expected one downloaded archive, found ${downloaded.length}`);
        }
        const zipPath = external_node_path_default().join(dlDir, downloaded[0]);
        try {
            await extractBackup(zipPath, outDir, name);
        }
        catch (err) {
            if (err instanceof UnsafeZipError) {
                throw new errors/* StoreError */.AD(`backup ${name} (artifact ${artifact.id}) is refused: ${err.message}`, { cause: err });
            }
            throw err;
        }
        await promises_default().rm(dlDir, { recursive: true, force: true });
        this.opts.logger.info(`Downloaded backup ${name} from artifact ${artifact.id} of run ${runId}`);
        return outDir;
    }
}
/**
 * Extracts a backup zip into `outDir` (created here): every entry is checked
 * before anything is written, the entries must be exactly manifest.json plus
 * the manifest's files, and each file must have the manifest's size and sha256.
 */
async function extractBackup(zipPath, outDir, name) {
    const entries = await readZipEntries(zipPath);
    const manifestEntry = entries.find((e) => e.name === types/* MANIFEST_FILE */.h);
    if (!manifestEntry)
        throw new UnsafeZipError(`it has no ${types/* MANIFEST_FILE */.h}`);
    let doc;
    try {
        doc = JSON.parse((await readEntry(zipPath, manifestEntry, MAX_MANIFEST_BYTES)).toString('utf8'));
    }
    catch (err) {
        if (err instanceof UnsafeZipError)
            throw err;
        throw new UnsafeZipError(`its ${types/* MANIFEST_FILE */.h} is not valid JSON`);
    }
    // The engine's own checks (format, backend, plain file names, sizes, sha256s); VerifyError when they fail.
    const manifest = (0,core_manifest/* validateManifest */.yl)(doc, `backup ${name}`);
    if (manifest.name !== name) {
        throw new UnsafeZipError(`its ${types/* MANIFEST_FILE */.h} names backup ${JSON.stringify(manifest.name)}, not ${name}`);
    }
    const listed = new Map(manifest.files.map((f) => [f.name, { bytes: f.bytes, sha256: f.sha256 }]));
    for (const e of entries) {
        if (e.name !== types/* MANIFEST_FILE */.h && !listed.has(e.name)) {
            throw new UnsafeZipError(`entry ${JSON.stringify(e.name)} is not in the manifest`);
        }
    }
    for (const f of listed.keys()) {
        if (!entries.some((e) => e.name === f))
            throw new UnsafeZipError(`${f} is listed in the manifest but missing`);
    }
    await promises_default().mkdir(outDir);
    for (const e of entries) {
        const want = listed.get(e.name);
        if (want && e.size !== want.bytes) {
            throw new UnsafeZipError(`${e.name} holds ${e.size} bytes; the manifest says ${want.bytes}`);
        }
        const sha = await extractEntry(zipPath, e, external_node_path_default().join(outDir, e.name));
        if (want && sha !== want.sha256)
            throw new UnsafeZipError(`${e.name} does not match its sha256 in the manifest`);
    }
    return manifest;
}


/***/ })

};
