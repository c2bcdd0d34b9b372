/**
 * Retention: restic-grade planning (`planRetention`), policies and profiles,
 * and a text timeline. Pure code: no I/O, no clock except `opts.now`.
 */
export * from './policy.js';
export * from './plan.js';
export * from './timeline.js';
export * from './options.js';
export { BUCKETS, addDateWall, isoWeekKey, makeZone, type Zone } from './calendar.js';
