// @ts-check
// Hover highlight: while a tool that picks is on, a marker shows what a click
// would pick (vertex, edge or surface), one pick in flight at a time.
import { send } from './engine-link.js';
import { NO_LINES, layerHasLines, setOverlayLayer } from './overlay-layers.js';
import { SNAP_CSS_PX } from './snap.js';
import { tools } from './tools.js';

/** @typedef {import('../shared/messages.js').Picked} Picked */
/** @typedef {import('../shared/messages.js').SnapKind} SnapKind */

/** @type {Record<SnapKind, number[]>} */
const HOVER_RGBA = { vertex: [0.1, 1.0, 0.4, 1.0], edge: [0.2, 0.8, 1.0, 1.0], surface: [1.0, 1.0, 1.0, 1.0] };
let busy = false;
/** @type {{ type: 'hover', x: number, y: number, snap: number } | null} */
let next = null;

/**
 * The mouse is over the canvas at (x, y), CSS pixels from its top left.
 * @param {number} x
 * @param {number} y
 */
export function hover(x, y) {
  const { measure, notes, section } = tools;
  const tool = measure?.isActive() ? 'measure' : notes?.isActive() ? 'annotate' : section?.isPicking() ? 'section' : null;
  if (!tool) {
    if (layerHasLines('hover')) setOverlayLayer('hover', NO_LINES);
    return;
  }
  const dpr = window.devicePixelRatio || 1;
  /** @type {{ type: 'hover', x: number, y: number, snap: number }} */
  const request = { type: 'hover', x: x * dpr, y: y * dpr, snap: tool === 'measure' && measure?.snaps() ? SNAP_CSS_PX * dpr : 0 };
  if (busy) {
    next = request;
    return;
  }
  busy = true;
  send(request);
}

/**
 * The engine's answer: what a click there would pick, or null.
 * @param {Picked | null} picked
 */
export function hovered(picked) {
  busy = false;
  if (next) {
    const request = next;
    next = null;
    busy = true;
    send(request);
  }
  if (!picked) {
    setOverlayLayer('hover', NO_LINES);
    return;
  }
  const size = /** @type {NonNullable<typeof tools.measure>} */ (tools.measure).markerSize() * (picked.snap === 'surface' ? 0.6 : 1.2);
  // A cross: one segment along each axis.
  const positions = new Float32Array(6 * 3);
  for (let k = 0; k < 3; k += 1) {
    const [a, b] = [[...picked.point], [...picked.point]];
    a[k] -= size;
    b[k] += size;
    positions.set([...a, ...b], k * 6);
  }
  setOverlayLayer('hover', { positions, rgba: HOVER_RGBA[picked.snap] });
  document.body.dataset.hoverSnap = picked.snap;
}
