// @ts-check
// The engine's side of sharing: sealing the shown model into a new share, and
// opening a downloaded one (asking the page for its password when it needs one).
import { postToPage } from '../shared/protocol.js';
import { readPose, writePose } from './camera-pose.js';
import { loadBytes } from './model-loading.js';
import { shareModule, state } from './state.js';

/** @typedef {import('../shared/protocol.js').PageToEngine} PageToEngine */
/** @typedef {import('../shared/protocol.js').SharedView} SharedView */
/**
 * @template {PageToEngine['type']} T
 * @typedef {import('../shared/protocol.js').MessageOf<PageToEngine, T>} Request
 */

/** @type {AbortController | null} the share being created */
let shareAbort = null;
/** @type {{ container: Uint8Array, fragment: string, cipher: string } | null} a downloaded share waiting for its password */
let waitingShare = null;

// Display options and camera of a share, applied in the worker so that the
// camera is set after the up axis (which refits the view).
/** @param {SharedView | undefined} view */
function applyView(view) {
  const { viewer } = state;
  const display = (view && typeof view.display === 'object' && view.display) || {};
  for (const name of ['up', 'projection', 'shading', 'wireframe', 'grid', 'background']) {
    if (typeof display[name] !== 'string') continue;
    try {
      viewer.setOption(name, display[name]);
    } catch {
      // An invalid option in a share is ignored, not fatal.
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
    display: metadata.view?.display || {},
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
    const view = { camera, display, ...(extras ?? {}) };
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
