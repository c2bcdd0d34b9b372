export const id = 884;
export const ids = [884];
export const modules = {

/***/ 46503:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   withDependencyCache: () => (/* binding */ withDependencyCache)
/* harmony export */ });
/* unused harmony exports expandHome, cacheKey */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(74296);
/**
 * The checklist's dependency cache (default: uv's ~/.cache/uv keyed on
 * uv.lock) through @actions/cache. A miss or a failed save is a warning,
 * never a failure: the checklist's result must not depend on the cache.
 */





/** Expands a leading `~` the way the cache paths input documents it. */
function expandHome(p) {
    return p === '~' ? node_os__WEBPACK_IMPORTED_MODULE_2___default().homedir() : p.startsWith('~/') ? node_path__WEBPACK_IMPORTED_MODULE_3___default().join(node_os__WEBPACK_IMPORTED_MODULE_2___default().homedir(), p.slice(2)) : p;
}
/** `storage-ops-checklist-<os>-<sha256 of the key files>`; a missing key file is named in a warning. */
async function cacheKey(s, logger) {
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    for (const f of s.keyFiles) {
        const file = node_path__WEBPACK_IMPORTED_MODULE_3___default().resolve(s.cwd, f);
        try {
            hash
                .update(f)
                .update('\0')
                .update(await node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default().readFile(file));
        }
        catch {
            logger.warn(`cache key file ${file} not found; the cache key will not change when it appears`);
            hash.update(f).update('\0missing\0');
        }
    }
    return `storage-ops-checklist-${process.platform}-${hash.digest('hex').slice(0, 32)}`;
}
/** Restores the cache, runs `fn`, saves the cache when it was not an exact hit. */
async function withDependencyCache(s, logger, fn) {
    const cache = await Promise.all(/* import() */[__webpack_require__.e(147), __webpack_require__.e(91)]).then(__webpack_require__.bind(__webpack_require__, 18091));
    const paths = s.paths.map(expandHome);
    const key = await cacheKey(s, logger);
    const restorePrefix = `storage-ops-checklist-${process.platform}-`;
    let hit = 'miss';
    try {
        const matched = await cache.restoreCache(paths, key, [restorePrefix]);
        hit = matched === undefined ? 'miss' : matched === key ? 'exact' : 'partial';
        logger.info(hit === 'miss' ? `cache miss for ${key}` : `cache ${hit} hit: ${matched}`);
        if (hit === 'miss')
            logger.warn(`dependency cache miss (${key}); the steps will download their dependencies`);
    }
    catch (err) {
        hit = 'error';
        logger.warn(`cache restore failed (${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .oneLine */ .TN)(err)}); continuing without it`);
    }
    const value = await fn();
    let saved = false;
    if (hit !== 'exact') {
        try {
            const id = await cache.saveCache(paths, key);
            saved = id !== -1;
            if (!saved)
                logger.warn(`cache for ${key} was not saved (see the log above); the next run starts cold`);
        }
        catch (err) {
            logger.warn(`cache save failed (${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .oneLine */ .TN)(err)}); the next run starts cold`);
        }
    }
    return { value, cache: { key, hit, saved } };
}


/***/ })

};
