// @ts-check
// The bounding box drawn in the view: its twelve edges and its width, depth and
// height as labels on three of them, in the file's unit.
import { LabelSet } from './labels.js';
import { formatLength } from './units.js';

import { $ } from './dom.js';
import { NO_LINES } from './overlay-layers.js';
const EDGE_RGBA = [0.55, 0.8, 1.0, 1.0];

export function setupBoundingBox({ setOverlay, unit }) {
  let info = null;
  const labels = new LabelSet('measure-label bbox-label');
  const AXES = ['x', 'y', 'z'];

  function corners() {
    const [x0, y0, z0] = info.min;
    const [x1, y1, z1] = info.min.map((m, k) => m + info.size[k]);
    return { x0, y0, z0, x1, y1, z1 };
  }

  function draw() {
    const on = Boolean($('bbox')?.checked && info);
    if (!on) {
      labels.sync([], (axis) => axis, () => {});
      setOverlay(NO_LINES, new Float32Array(0), null);
      return;
    }
    const { x0, y0, z0, x1, y1, z1 } = corners();
    const v = (x, y, z) => [x ? x1 : x0, y ? y1 : y0, z ? z1 : z0];
    const edges = [];
    for (const a of [0, 1]) {
      for (const b of [0, 1]) {
        edges.push([v(0, a, b), v(1, a, b)], [v(a, 0, b), v(a, 1, b)], [v(a, b, 0), v(a, b, 1)]);
      }
    }
    const lines = { positions: new Float32Array(edges.flat(2)), rgba: EDGE_RGBA };
    // One label per axis, on the edges along x, y and z from the lowest corner.
    const mid = (a, b) => a.map((c, k) => (c + b[k]) / 2);
    const anchors = [mid(v(0, 0, 0), v(1, 0, 0)), mid(v(0, 0, 0), v(0, 1, 0)), mid(v(0, 0, 0), v(0, 0, 1))];
    labels.sync(AXES, (axis) => axis, (el, axis) => {
      el.dataset.axis = axis;
      el.textContent = `${axis} ${formatLength(info.size[AXES.indexOf(axis)], unit())}`;
    });
    setOverlay(lines, new Float32Array(anchors.flat()), (positions) => labels.place(AXES, (axis) => axis, positions));
  }

  $('bbox')?.addEventListener('change', draw);
  return {
    reset(newInfo) {
      info = newInfo;
      if ($('bbox')) $('bbox').disabled = false;
      draw();
    },
    unitChanged: draw,
  };
}
