// @ts-check
// The section plane: a cut across X, Y or Z, or through a face picked on the
// model, moved with the slider. The engine clips the model there and fills the
// cut (its cap); the panel shows the cut's area and perimeter in the file's
// unit, and its outline is drawn over the model.
import { UNIT_LABELS } from './units.js';

import { $ } from './dom.js';
import { NO_LINES } from './overlay-layers.js';
const AXES = { x: [1, 0, 0], y: [0, 1, 0], z: [0, 0, 1] };
// Linear RGBA of the cut's outline.
const OUTLINE_RGBA = [1.0, 0.35, 0.2, 1.0];

export function setupSection({ send, setOverlay, unit }) {
  let normal = null; // the plane's normal while a section is on
  let picking = false;
  let readout = null;
  const select = $('section-axis');
  const slider = $('section-offset');
  const stage = $('stage');

  const plain = (v) => String(Number(v.toPrecision(6)));
  function showReadout() {
    const box = $('section-readout');
    if (!readout) {
      box.hidden = true;
      return;
    }
    const u = UNIT_LABELS[unit()];
    box.hidden = false;
    box.textContent = readout.segments
      ? `Section: area ${plain(readout.area)} ${u}², perimeter ${plain(readout.perimeter)} ${u}`
      : 'Section: the plane does not cut the model here.';
    box.dataset.area = String(readout.area);
  }

  function off() {
    normal = null;
    picking = false;
    readout = null;
    stage.classList.remove('sectioning');
    slider.hidden = true;
    setOverlay(NO_LINES);
    send({ type: 'clearSection' });
    showReadout();
  }

  select.addEventListener('change', () => {
    const value = select.value;
    if (!value) {
      off();
      return;
    }
    if (value === 'face') {
      picking = true;
      stage.classList.add('sectioning');
      $('section-readout').hidden = false;
      $('section-readout').textContent = 'Click a face of the model: the plane goes through it.';
      return;
    }
    picking = false;
    stage.classList.remove('sectioning');
    normal = AXES[value];
    slider.hidden = false;
    slider.value = '500';
    send({ type: 'section', normal, fraction: 0.5 });
  });
  slider.addEventListener('input', () => {
    if (normal) send({ type: 'section', normal, fraction: Number(slider.value) / 1000 });
  });

  return {
    click(xCss, yCss) {
      if (!picking) return false;
      const dpr = window.devicePixelRatio || 1;
      send({ type: 'pick', x: xCss * dpr, y: yCss * dpr, snap: 0, tool: 'section' });
      return true;
    },
    picked(picked) {
      if (!picking || !picked) return;
      picking = false;
      stage.classList.remove('sectioning');
      // The plane lies in the picked face; the engine cuts away the side nearer the viewer.
      normal = picked.normal;
      slider.hidden = false;
      send({ type: 'sectionThrough', normal, point: picked.point });
    },
    // The engine's answer: the readout and the outline.
    cut({ readout: result, lines }) {
      readout = result;
      if (readout) slider.value = String(Math.round(readout.fraction * 1000));
      setOverlay({ positions: lines, rgba: OUTLINE_RGBA });
      showReadout();
    },
    // A new model, or its up axis changed: start over / cut again.
    reset() {
      select.disabled = false;
      select.value = '';
      off();
    },
    refresh() {
      if (normal) send({ type: 'section', normal, fraction: Number(slider.value) / 1000 });
    },
    unitChanged: showReadout,
    isPicking: () => picking,
  };
}
