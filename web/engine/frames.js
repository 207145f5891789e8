// @ts-check
// Drawing: at most one frame per display refresh, the label positions after
// each, the embed page's slow turn, and the timing of a model's first frame
// (bytes in memory → first frame finished, read by `cargo xtask bench`).
import { postToPage } from '../shared/protocol.js';
import { gpuDone } from './gpu-done.js';
import { state } from './state.js';

let framePending = false;
let frames = 0;
let lastFrameAt = 0;
// Embed option: turn the model slowly (degrees per second; 0 = still).
let autoRotateDegPerSec = 0;
/** @type {Float32Array} Model points (x, y, z, …) where labels hang; projected each frame. */
let labelAnchors = new Float32Array(0);
/** @type {number | null} When the last model's bytes were in memory, until its first frame is timed. */
let firstFrameFrom = null;
/** @type {Record<string, number>} Where the first frame's time went (ms): upload, draw calls, GPU wait. */
let firstFrameSteps = {};

/** @param {Float32Array} anchors */
export function setLabelAnchors(anchors) {
  labelAnchors = anchors;
}

/** @param {number} degPerSec */
export function setAutoRotate(degPerSec) {
  autoRotateDegPerSec = degPerSec;
}

/**
 * The next frame is a model's first: timed from `from`, with `steps` already taken.
 * @param {number} from
 * @param {Record<string, number>} steps
 */
export function timeFirstFrame(from, steps) {
  firstFrameFrom = from;
  firstFrameSteps = steps;
}

export async function drawFrame() {
  const { viewer, canvas } = state;
  framePending = false;
  if (viewer.isLost()) {
    postToPage(self, { type: 'status', message: 'The GPU device was lost; recovering…' });
    await viewer.recover();
  }
  const now = performance.now();
  if (autoRotateDegPerSec && state.shownFiles) {
    // orbit() takes pixels: a drag over the canvas height turns 180°.
    const seconds = Math.min(0.1, (now - lastFrameAt) / 1000);
    viewer.orbit((-autoRotateDegPerSec * seconds * canvas.height) / 180, 0);
  }
  lastFrameAt = now;
  viewer.render();
  const submittedAt = performance.now();
  frames += 1;
  postToPage(self, { type: 'frame', frames });
  // Where measurement labels go on the canvas, for the page to place them.
  if (labelAnchors.length) postToPage(self, { type: 'labels', positions: viewer.project(labelAnchors) });
  if (autoRotateDegPerSec && state.shownFiles) requestFrame();
  if (firstFrameFrom !== null) {
    const from = firstFrameFrom;
    firstFrameFrom = null;
    await gpuDone(viewer, canvas);
    const doneAt = performance.now();
    const steps = { ...firstFrameSteps, renderMs: submittedAt - now, gpuWaitMs: doneAt - submittedAt };
    postToPage(self, { type: 'timing', firstFrameMs: doneAt - from, steps });
    // The picking hierarchy, now that the model is on screen (a first pick needs it).
    setTimeout(() => viewer.preparePicking(), 0);
  }
}

// Input coalesces into at most one frame per display refresh.
export function requestFrame() {
  if (framePending || !state.viewer) return;
  framePending = true;
  if (self.requestAnimationFrame) self.requestAnimationFrame(drawFrame);
  else setTimeout(drawFrame, 16);
}
