// @ts-check
// Lines drawn over the model and points that carry labels (measurement values,
// note markers), by layer. The engine draws one overlay: every layer's lines
// joined, and projects every layer's anchors after each frame; each layer gets
// back the positions of its own.
import { send } from './engine-link.js';

/** @typedef {(positions: Float32Array) => void} OnLabels */
/** @typedef {{ lines: Float32Array, anchors: Float32Array, onLabels: OnLabels | null }} Layer */

/** @type {Map<string, Layer>} name → layer, in the order first set */
const layers = new Map();

/**
 * Sets the layer `name` and sends the joined overlay to the engine.
 * @param {string} name
 * @param {Float32Array} lines line-list vertices (x, y, z, r, g, b, a)
 * @param {Float32Array} [anchors] points (x, y, z) whose screen positions `onLabels` gets
 * @param {OnLabels | null} [onLabels]
 */
export function setOverlayLayer(name, lines, anchors = new Float32Array(0), onLabels = null) {
  layers.set(name, { lines, anchors, onLabels });
  const all = [...layers.values()];
  /** @param {'lines' | 'anchors'} key */
  const join = (key) => {
    const joined = new Float32Array(all.reduce((n, l) => n + l[key].length, 0));
    let at = 0;
    for (const layer of all) {
      joined.set(layer[key], at);
      at += layer[key].length;
    }
    return joined;
  };
  send({ type: 'overlay', lines: join('lines'), anchors: join('anchors') });
}

/** @param {string} name */
export const layerHasLines = (name) => Boolean(layers.get(name)?.lines.length);

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
