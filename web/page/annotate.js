// @ts-check
// Notes pinned to the model: 📌 Note, a click on the surface, and the note's
// text typed in the panel. Each note is a numbered marker over the model that
// follows the view and fades when the model hides its point; the list holds
// the texts. Notes travel in shares (docs/share-format.md) and reports. On a
// recipient's page they are shown, not edited.
import { LabelSet } from './labels.js';

import { $ } from './dom.js';
import { NO_LINES } from './overlay-layers.js';
import { SNAP_CSS_PX } from './snap.js';

export function setupAnnotations({ send, setOverlay, editable }) {
  let notes = []; // { number, text, point }
  let active = false;
  const markers = new LabelSet('note-marker');
  const button = $('annotate');
  const stage = $('stage');

  const setActive = (on) => {
    active = on && editable;
    button?.setAttribute('aria-pressed', String(active));
    stage.classList.toggle('annotating', active);
    if ($('annotate-hint')) {
      $('annotate-hint').textContent = active
        ? 'Click the model where the note belongs.'
        : 'Choose 📌 Note, then click the model where the note belongs.';
    }
  };
  button?.addEventListener('click', () => setActive(!active));
  stage.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && active) {
      setActive(false);
      e.preventDefault();
    }
  });

  function redraw() {
    setOverlay(NO_LINES, new Float32Array(notes.flatMap((n) => n.point)));
    const list = $('annotations');
    if ($('annotations-title')) $('annotations-title').hidden = notes.length === 0;
    list?.replaceChildren(
      ...notes.map((note) => {
        const li = document.createElement('li');
        li.dataset.number = String(note.number);
        if (editable) {
          const input = document.createElement('input');
          input.className = 'note-text';
          input.value = note.text;
          input.placeholder = 'Type the note…';
          input.setAttribute('aria-label', `Note ${note.number}`);
          input.addEventListener('input', () => {
            note.text = input.value;
            markers.elements.get(note.number)?.setAttribute('title', note.text);
          });
          const remove = document.createElement('button');
          remove.type = 'button';
          remove.className = 'note-delete';
          remove.textContent = '✕';
          remove.title = 'Delete this note';
          remove.addEventListener('click', () => {
            notes = notes.filter((n) => n !== note);
            redraw();
          });
          li.append(input, remove);
        } else {
          li.textContent = note.text;
        }
        return li;
      }),
    );
    markers.sync(notes, (n) => n.number, (el, note) => {
      el.textContent = String(note.number);
      el.title = note.text;
    });
  }

  return {
    // A click on the canvas while the tool is on: pick there.
    click(xCss, yCss) {
      if (!active) return false;
      const dpr = window.devicePixelRatio || 1;
      send({ type: 'pick', x: xCss * dpr, y: yCss * dpr, snap: SNAP_CSS_PX * dpr, tool: 'annotate' });
      return true;
    },
    picked(picked) {
      if (!active) return;
      if (!picked) {
        $('annotate-hint').textContent = 'That is not on the model: click on its surface.';
        return;
      }
      const number = notes.reduce((n, note) => Math.max(n, note.number), 0) + 1;
      notes.push({ number, text: '', point: picked.point });
      redraw();
      $('annotate-hint').textContent = `Note ${number} pinned: type its text below. Click again for another, Esc to stop.`;
      /** @type {HTMLInputElement | null} */ (document.querySelector(`#annotations li[data-number="${number}"] input`))?.focus();
    },
    // Marker positions on the canvas (device pixels, with a state per point).
    labels(positions) {
      markers.place(notes, (n) => n.number, positions);
    },
    // Notes from a share (numbers and points checked: they come from a file).
    load(list) {
      notes = (Array.isArray(list) ? list : [])
        .filter((n) => Array.isArray(n?.point) && n.point.length === 3 && n.point.every(Number.isFinite))
        .slice(0, 1000)
        .map((n, i) => ({ number: Number.isInteger(n.number) && n.number > 0 ? n.number : i + 1, text: String(n.text ?? ''), point: n.point.map(Number) }));
      redraw();
    },
    reset() {
      notes = [];
      if (button) button.disabled = false;
      setActive(false);
      redraw();
    },
    deactivate: () => setActive(false),
    isActive: () => active,
    list: () => notes.map(({ number, text, point }) => ({ number, text, point })),
  };
}
