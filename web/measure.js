// Measuring on the model: the Distance tool picks two surface points (the
// engine snaps to corners and edges within a few pixels) and lists the distance
// with its Δx, Δy, Δz. Measurements are drawn over the model as lines, with
// labels that follow the view, and can be renamed and deleted. Everything
// stays in this page; picking runs in the engine's worker.
import { formatLength } from './units.js';

const $ = (id) => document.getElementById(id);

// Linear RGBA of the lines (amber) and the size of the end markers, as a
// fraction of the model's diagonal.
const LINE_RGBA = [1.0, 0.63, 0.1, 1.0];
const MARKER_FRACTION = 0.01;
// How close (CSS pixels) a click must be to a corner or edge to snap to it.
const SNAP_CSS_PX = 8;

export function setupMeasure({ send, setOverlay, unit }) {
  let measurements = [];
  let pending = null; // the first point of a distance being measured
  let active = false;
  let nextNumber = 1;
  let markerSize = 1;
  const button = $('measure-distance');
  const stage = $('stage');
  const labels = new Map(); // id → label element

  const hint = (text) => {
    if ($('measure-hint')) $('measure-hint').textContent = text;
  };
  const setActive = (on) => {
    active = on && Boolean(button);
    pending = null;
    button?.setAttribute('aria-pressed', String(active));
    stage.classList.toggle('measuring', active);
    hint(active
      ? 'Click the first point (corners and edges snap).'
      : 'Choose 📏 Distance, then click two points on the model.');
    redraw();
  };
  button?.addEventListener('click', () => setActive(!active));
  stage.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && active) {
      setActive(false);
      e.preventDefault();
    }
  });

  const cross = (p) => {
    const s = markerSize;
    const out = [];
    for (let k = 0; k < 3; k += 1) {
      const a = [...p];
      const b = [...p];
      a[k] -= s;
      b[k] += s;
      out.push(a, b);
    }
    return out;
  };

  // Lines and label anchors to the worker; the list in the panel.
  function redraw() {
    const points = [];
    for (const m of measurements) points.push(m.a, m.b, ...cross(m.a), ...cross(m.b));
    if (pending) points.push(...cross(pending));
    const lines = new Float32Array(points.length * 7);
    points.forEach((p, i) => lines.set([...p, ...LINE_RGBA], i * 7));
    const anchors = new Float32Array(measurements.flatMap((m) => m.a.map((c, k) => (c + m.b[k]) / 2)));
    setOverlay(lines, anchors);
    renderList();
  }

  function renderList() {
    const list = $('measurements');
    const u = unit();
    list?.replaceChildren(
      ...measurements.map((m) => {
        const li = document.createElement('li');
        li.className = 'measurement';
        li.dataset.id = String(m.id);
        const name = document.createElement('input');
        name.className = 'm-name';
        name.value = m.name;
        name.setAttribute('aria-label', 'Measurement name');
        name.addEventListener('change', () => {
          m.name = name.value.trim() || m.name;
          name.value = m.name;
        });
        const value = document.createElement('span');
        value.className = 'm-value';
        value.textContent = formatLength(distance(m), u);
        value.dataset.value = String(distance(m));
        const delta = document.createElement('span');
        delta.className = 'm-delta';
        delta.textContent = ['Δx', 'Δy', 'Δz'].map((label, k) => `${label} ${formatLength(Math.abs(m.b[k] - m.a[k]), u)}`).join(' · ');
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'm-delete';
        remove.textContent = '✕';
        remove.title = 'Delete this measurement';
        remove.addEventListener('click', () => {
          measurements = measurements.filter((x) => x !== m);
          redraw();
        });
        li.append(name, value, delta, remove);
        return li;
      }),
    );
    // One label per measurement, placed when the worker reports where its anchor is.
    for (const [id, el] of labels) {
      if (!measurements.some((m) => m.id === id)) {
        el.remove();
        labels.delete(id);
      }
    }
    for (const m of measurements) {
      let el = labels.get(m.id);
      if (!el) {
        el = document.createElement('div');
        el.className = 'measure-label';
        el.hidden = true;
        $('labels').append(el);
        labels.set(m.id, el);
      }
      el.textContent = formatLength(distance(m), u);
    }
  }

  return {
    // A click on the canvas (CSS pixels from its top left): pick there.
    click(xCss, yCss) {
      if (!active) return false;
      const dpr = window.devicePixelRatio || 1;
      send({ type: 'pick', x: xCss * dpr, y: yCss * dpr, snap: SNAP_CSS_PX * dpr, tool: 'measure' });
      return true;
    },
    picked(picked) {
      if (!active) return;
      if (!picked) {
        hint('That is not on the model: click on its surface.');
        return;
      }
      if (!pending) {
        pending = picked.point;
        const at = picked.point.map((c) => Number(c.toPrecision(6))).join(', ');
        hint(`First point (${picked.snap}) at ${at} ${unit()}. Click the second point.`);
      } else {
        measurements.push({ id: nextNumber, name: `Distance ${nextNumber}`, a: pending, b: picked.point });
        nextNumber += 1;
        pending = null;
        hint('Click the first point of the next distance, or Esc to stop.');
      }
      redraw();
    },
    // Where the labels' anchors are on the canvas (device pixels; see Viewer.project).
    labels(positions) {
      const dpr = window.devicePixelRatio || 1;
      measurements.forEach((m, i) => {
        const el = labels.get(m.id);
        if (!el) return;
        const state = positions[i * 3 + 2];
        el.hidden = state === 0;
        el.classList.toggle('hidden-by-model', state === 2);
        el.style.left = `${positions[i * 3] / dpr}px`;
        el.style.top = `${positions[i * 3 + 1] / dpr}px`;
      });
    },
    // A new model: measurements belong to the previous one.
    reset(info) {
      measurements = [];
      nextNumber = 1;
      const [x, y, z] = info.size;
      markerSize = Math.hypot(x, y, z) * MARKER_FRACTION || 1;
      if (button) button.disabled = false;
      setActive(false);
    },
    deactivate: () => setActive(false),
    // Measurements from a share (checked: they come from a file).
    load(list) {
      const point = (p) => Array.isArray(p) && p.length === 3 && p.every(Number.isFinite);
      measurements = (Array.isArray(list) ? list : [])
        .filter((m) => m?.kind === 'distance' && Array.isArray(m.points) && point(m.points[0]) && point(m.points[1]))
        .slice(0, 1000)
        .map((m, i) => ({ id: i + 1, name: String(m.name ?? `Distance ${i + 1}`), a: m.points[0].map(Number), b: m.points[1].map(Number) }));
      nextNumber = measurements.length + 1;
      redraw();
    },
    unitChanged: () => renderList(),
    // For reports and shares: { kind, name, value (file units), points }.
    list: () => measurements.map(({ name, a, b }) => ({ kind: 'distance', name, value: distance({ a, b }), points: [a, b] })),
  };
}

function distance({ a, b }) {
  return Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
}
