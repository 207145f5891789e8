// @ts-check
// Progress reports, written once: the engine's byte-count reports to the page,
// and the two ways reports are thinned out so that they never become the work
// that the result waits behind.
import { postToPage } from './protocol.js';

/** @typedef {import('./messages.js').ProgressPhase} ProgressPhase */
/** @typedef {import('./messages.js').PostTarget} PostTarget */

/**
 * Reports `loaded` of `total` bytes of `name` to the page, as `phase`.
 * @param {PostTarget} scope the engine worker's global scope
 * @param {ProgressPhase} phase
 * @param {string} name
 * @param {number} total
 * @param {{ index?: number, count?: number }} [place] among several files
 * @returns {(loaded: number) => void}
 */
export function progressToPage(scope, phase, name, total, place = {}) {
  return (loaded) => postToPage(scope, { type: 'progress', phase, name, loaded, total, ...place });
}

/**
 * `report`, at most once per `intervalMs`.
 * @param {(loaded: number) => void} report
 * @param {number} [intervalMs]
 * @returns {(loaded: number) => void}
 */
export function atMostEvery(report, intervalMs = 50) {
  let last = 0;
  return (loaded) => {
    if (performance.now() - last > intervalMs) {
      last = performance.now();
      report(loaded);
    }
  };
}

/**
 * `report(fraction)` when the fraction has moved by `step` and `intervalMs` have
 * passed since the last report, and always at 1.
 * @param {(fraction: number) => void} report
 * @param {number} step
 * @param {number} intervalMs
 * @returns {(fraction: number) => void}
 */
export function bySteps(report, step, intervalMs) {
  let reported = 0;
  let reportedAt = -Infinity;
  return (fraction) => {
    const now = performance.now();
    if ((fraction - reported >= step && now - reportedAt >= intervalMs) || fraction === 1) {
      reported = fraction;
      reportedAt = now;
      report(fraction);
    }
  };
}
