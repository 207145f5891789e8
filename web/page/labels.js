// @ts-check
// Page elements that hang on model points (measurement values, note markers,
// box dimensions): kept in step with a list of items, and placed from the
// positions the engine reports after each frame (Viewer.project: device pixels
// and a state per point — 0 behind the camera, 1 visible, 2 hidden by the model).
import { $ } from './dom.js';

export class LabelSet {
  // `className` of each element (one or more classes).
  constructor(className) {
    this.className = className;
    this.elements = new Map(); // key → element
  }

  // One element per item (`key(item)`), in the #labels layer; `update(el, item)` refreshes it.
  sync(items, key, update) {
    const keys = new Set(items.map(key));
    for (const [k, el] of this.elements) {
      if (!keys.has(k)) {
        el.remove();
        this.elements.delete(k);
      }
    }
    for (const item of items) {
      let el = this.elements.get(key(item));
      if (!el) {
        el = document.createElement('div');
        el.className = this.className;
        el.hidden = true;
        $('labels').append(el);
        this.elements.set(key(item), el);
      }
      update(el, item);
    }
  }

  // `positions` holds (x, y, state) per item, in the order of `items`.
  place(items, key, positions) {
    const dpr = window.devicePixelRatio || 1;
    items.forEach((item, i) => {
      const el = this.elements.get(key(item));
      if (!el) return;
      const state = positions[i * 3 + 2];
      el.hidden = state === 0;
      el.classList.toggle('hidden-by-model', state === 2);
      el.style.left = `${positions[i * 3] / dpr}px`;
      el.style.top = `${positions[i * 3 + 1] / dpr}px`;
    });
  }
}
