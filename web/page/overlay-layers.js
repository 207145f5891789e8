// @ts-check
// Lines drawn over the model and points that carry labels (measurement values,
// note markers), by layer. The engine draws one overlay: every layer's lines
// joined, and projects every layer's anchors after each frame; each layer gets
// back the positions of its own.
import { send } from './engine-link.js';

/** @typedef {import('../shared/messages.js').OverlayLines} OverlayLines */
/** @typedef {(positions: Float32Array) => void} OnLabels */
/** @typedef {{ lines: OverlayLines, anchors: Float32Array, onLabels: OnLabels | null }} Layer */

/** A layer without lines. @type {OverlayLines} */
export const NO_LINES = Object.freeze({ positions: new Float32Array(0), rgba: [0, 0, 0, 0] });

/** @type {Map<string, Layer>} name → layer, in the order first set */
const layers = new Map();

/**
 * Sets the layer `name` and sends every layer to the engine, which packs their
 * lines into its vertex layout (Viewer.setOverlay).
 * @param {string} name
 * @param {OverlayLines} lines its line list, in one colour
 * @param {Float32Array} [anchors] points (x, y, z) whose screen positions `onLabels` gets
 * @param {OnLabels | null} [onLabels]
 */
export function setOverlayLayer(name, lines, anchors = new Float32Array(0), onLabels = null) {
  layers.set(name, { lines, anchors, onLabels });
  const all = [...layers.values()];
  const joinedAnchors = new Float32Array(all.reduce((n, l) => n + l.anchors.length, 0));
  let at = 0;
  for (const layer of all) {
    joinedAnchors.set(layer.anchors, at);
    at += layer.anchors.length;
  }
  send({ type: 'overlay', layers: all.map((l) => l.lines), anchors: joinedAnchors });
}

/** @param {string} name */
export const layerHasLines = (name) => Boolean(layers.get(name)?.lines.positions.length);

/**
 * The engine's projected anchors, back to their layers (3 numbers in, 3 out per anchor).
 * @param {Float32Array} positions
 */
export function dispatchLabels(positions) {
  let at = 0;
  for (const layer of layers.values()) {
    const count = layer.anchors.length;
    if (count) layer.onLabels?.(positions.subarray(at, at + count));
    at += count;
  }
}
