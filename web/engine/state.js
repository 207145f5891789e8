// @ts-check
// What the engine worker's modules share: the viewer, its canvas and the model
// shown now. Set by 'init' and by each load; no other message is handled before
// 'init' (see worker.js), so the viewer and canvas are there for every handler.

/** @typedef {import('./viewer-types.js').Viewer} Viewer */
/** @typedef {import('../shared/messages.js').Companion} Companion */
/** @typedef {import('../shared/messages.js').ModelCounts} ModelCounts */
/** @typedef {{ name: string, source: Blob, companions: Companion[] }} ShownFiles */

export const state = {
  /** @type {Viewer} */
  viewer: /** @type {any} */ (null),
  /** @type {OffscreenCanvas} */
  canvas: /** @type {any} */ (null),
  /** @type {ShownFiles | null} The model shown now, as files: what "Share" encrypts. */
  shownFiles: null,
  /** @type {ModelCounts | null} Its counts (a tools job makes its memory ready for them). */
  shownCounts: null,
};

// Sharing code (and the tools build, which also reads 3MF) is loaded on first
// use: viewing never downloads it.
/** @type {Promise<typeof import('./worker-share.js')> | null} */
let shareModulePromise = null;
export const shareModule = () => (shareModulePromise ??= import('./worker-share.js'));
