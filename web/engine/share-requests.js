// @ts-check
// The engine's side of sharing: sealing the shown model into a new share, and
// opening a downloaded one (asking the page for its password when it needs one).
import { postToPage } from '../shared/protocol.js';
import { readPose, writePose } from './camera-pose.js';
import { loadBytes } from './model-loading.js';
import { shareModule, state } from './state.js';

/** @typedef {import('../shared/messages.js').PageToEngine} PageToEngine */
/** @typedef {import('../shared/messages.js').SharedView} SharedView */
/**
 * @template {PageToEngine['type']} T
 * @typedef {import('../shared/messages.js').MessageOf<PageToEngine, T>} Request
 */

/** @type {AbortController | null} the share being created */
let shareAbort = null;
/** @type {{ container: Uint8Array, fragment: string, cipher: string } | null} a downloaded share waiting for its password */
let waitingShare = null;

/** @typedef {import('../shared/messages.js').DisplayOptionName} DisplayOptionName */
/** @typedef {import('../shared/messages.js').DisplayOptions} DisplayOptions */
/** @typedef {import('../shared/messages.js').StoredDisplayOptions} StoredDisplayOptions */

/** @type {DisplayOptionName[]} In the order a share's are applied: the up axis first. */
const DISPLAY_OPTIONS = ['up', 'projection', 'shading', 'wireframe', 'grid', 'background'];

// The one place that converts between the display options as a share stores
// them (strings, as the page's controls held them: docs/share-format.md) and
// the typed options the page and the viewer speak, so that the stored format
// stays as it was and existing shares open unchanged.

/**
 * @param {DisplayOptions} options
 * @returns {StoredDisplayOptions}
 */
function storedDisplayOptions(options) {
  /** @type {StoredDisplayOptions} */
  const stored = {};
  for (const [name, value] of Object.entries(options ?? {})) {
    if (typeof value === 'string' || typeof value === 'boolean') stored[/** @type {DisplayOptionName} */ (name)] = String(value);
  }
  return stored;
}

/**
 * A share's stored options, typed. Values that are not strings are skipped; a
 * checkbox's is on only when it reads 'true'; the others pass as they are (the
 * viewer refuses an invalid one and the page's controls skip it).
 * @param {unknown} stored a share's `view.display`, from a file
 * @returns {DisplayOptions}
 */
function displayOptionsFromStored(stored) {
  /** @type {Record<string, string | boolean>} */
  const options = {};
  if (!stored || typeof stored !== 'object') return options;
  for (const name of DISPLAY_OPTIONS) {
    const value = /** @type {Record<string, unknown>} */ (stored)[name];
    if (typeof value !== 'string') continue;
    options[name] = name === 'wireframe' || name === 'grid' ? value === 'true' : value;
  }
  return /** @type {DisplayOptions} */ (options);
}

// Display options and camera of a share, applied in the worker so that the
// camera is set after the up axis (which refits the view).
/** @param {SharedView | undefined} view */
function applyView(view) {
  const { viewer } = state;
  // One option at a time, so that an invalid one in a share is ignored, not fatal, and the rest apply.
  for (const [name, value] of Object.entries(displayOptionsFromStored(view?.display))) {
    try {
      viewer.setOptions(JSON.stringify({ [name]: value }));
    } catch {
      // Ignored, as docs/share-format.md says.
    }
  }
  const camera = view?.camera;
  if (camera && Array.isArray(camera.target)) {
    writePose(viewer, {
      target: camera.target.map(Number),
      distance: Number(camera.distance),
      yaw: Number(camera.yaw_radians),
      pitch: Number(camera.pitch_radians),
    });
  }
}

// Decrypts the downloaded share with the password (if any) and shows it, or asks
// the page for a (better) password.
/** @param {string | undefined} password */
async function tryOpenShare(password) {
  const { container, fragment, cipher } = /** @type {NonNullable<typeof waitingShare>} */ (waitingShare);
  let opened;
  try {
    const { openContainer } = await shareModule();
    opened = await openContainer(container, fragment, password, cipher);
  } catch (error) {
    if (error.name === 'PasswordRequired' || error.name === 'WrongKeyOrPassword') {
      // A wrong key without a password means the fragment itself is wrong.
      if (error.name === 'WrongKeyOrPassword' && !password) throw error;
      postToPage(self, { type: 'sharePassword', wrong: error.name === 'WrongKeyOrPassword' });
      return;
    }
    throw error;
  }
  waitingShare = null;
  const { metadata, file, companions } = opened;
  const original = metadata.allow_download ? new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (file)], { type: metadata.media_type }) : null;
  await loadBytes(metadata.name, file, companions, performance.now(), () => applyView(metadata.view));
  postToPage(self, {
    type: 'shareOpened',
    name: metadata.name,
    size: metadata.size,
    display: displayOptionsFromStored(metadata.view?.display),
    view: metadata.view ?? null,
    original,
    decryptMs: opened.decryptMs,
  });
}

export const shareHandlers = {
  /** @param {Request<'createShare'>} request */
  async createShare({ options, display, extras }) {
    const { shownFiles, viewer } = state;
    if (!shownFiles) throw new Error('Open a model first, then share it.');
    shareAbort = new AbortController();
    const { target, distance, yaw, pitch } = readPose(viewer);
    const camera = { target, distance, yaw_radians: yaw, pitch_radians: pitch };
    // Units, measurements and notes ride along (docs/share-format.md).
    const view = { camera, display: storedDisplayOptions(display), ...(extras ?? {}) };
    const { Cancelled, createShare } = await shareModule();
    try {
      const share = await createShare(shownFiles, options, view, shareAbort.signal);
      postToPage(self, { type: 'shareCreated', ...share });
    } catch (error) {
      if (error instanceof Cancelled) postToPage(self, { type: 'shareCancelled' });
      else postToPage(self, { type: 'shareFailed', message: error.message });
    } finally {
      shareAbort = null;
    }
  },
  cancelShare() {
    shareAbort?.abort();
  },
  /** @param {Request<'openShare'>} request */
  async openShare({ id, fragment, password, cipher }) {
    const { downloadShare } = await shareModule();
    const container = await downloadShare(id, undefined);
    waitingShare = { container, fragment, cipher };
    await tryOpenShare(password);
  },
  /** @param {Request<'sharePassword'>} request */
  async sharePassword({ password }) {
    if (waitingShare) await tryOpenShare(password);
  },
};
