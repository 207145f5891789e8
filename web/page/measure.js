// @ts-check
// Measuring on the model. Pick a kind, then click points on the surface (the
// engine snaps to corners and edges within a few pixels):
//   distance (2 points, with Δx, Δy, Δz), angle through 3 points, circle through
//   3 points (a hole's diameter), angle between 2 faces, distance between 2
//   parallel faces, and wall thickness at 1 point (into the model, against the
//   surface normal, to the next surface).
// Measurements are drawn over the model with labels that follow the view, and
// can be renamed and deleted; they travel in shares and reports. Picking runs
// in the engine's worker; the geometry is web/page/measure-geometry.js.
import { angleAt, circlePoints, circleThrough, distance, faceAngle, parallelDistance } from './measure-geometry.js';
import { LabelSet } from './labels.js';
import { formatLength } from './units.js';

import { $ } from './dom.js';
import { SNAP_CSS_PX } from './snap.js';

// Linear RGBA of the lines (amber) and the size of point markers, as a
// fraction of the model's diagonal.
const LINE_RGBA = [1.0, 0.63, 0.1, 1.0];
const MARKER_FRACTION = 0.01;

// What each kind needs and how it is worded. `snap`: whether picks snap to
// corners and edges (face kinds want the face itself).
export const KINDS = {
  distance: { picks: 2, snap: true, label: 'Distance', steps: ['the first point', 'the second point'] },
  angle: { picks: 3, snap: true, label: 'Angle', steps: ['a point on the first side', 'the corner', 'a point on the second side'] },
  circle: { picks: 3, snap: true, label: 'Circle', steps: ['a point on the rim', 'a second point on the rim', 'a third point on the rim'] },
  'face-angle': { picks: 2, snap: false, label: 'Face angle', steps: ['the first face', 'the second face'] },
  parallel: { picks: 2, snap: false, label: 'Gap', steps: ['the first face', 'the parallel face'] },
  thickness: { picks: 1, snap: false, label: 'Wall', steps: ['the outside of the wall'] },
};

const degreesText = (v) => `${Number(v.toPrecision(5))}°`;

// The value and its wording for a measurement { kind, points, normals, value? }.
function describe(m, unit) {
  const [a, b, c] = m.points;
  switch (m.kind) {
    case 'distance': {
      const deltas = ['Δx', 'Δy', 'Δz'].map((label, k) => `${label} ${formatLength(Math.abs(b[k] - a[k]), unit)}`).join(' · ');
      return { value: distance(a, b), text: formatLength(distance(a, b), unit), detail: deltas };
    }
    case 'angle': {
      const value = angleAt(a, b, c) ?? 0;
      return { value, text: degreesText(value), detail: 'angle at the second point' };
    }
    case 'circle': {
      const circle = circleThrough(a, b, c);
      const value = circle ? circle.radius * 2 : 0;
      return { value, text: `⌀ ${formatLength(value, unit)}`, detail: `radius ${formatLength(value / 2, unit)}` };
    }
    case 'face-angle': {
      const value = faceAngle(m.normals[0], m.normals[1]);
      return { value, text: degreesText(value), detail: 'included angle between the faces' };
    }
    case 'parallel':
      return { value: m.value, text: formatLength(m.value, unit), detail: 'between parallel faces' };
    case 'thickness':
      return { value: m.value, text: `t ${formatLength(m.value, unit)}`, detail: 'wall thickness along the normal' };
    default:
      return { value: 0, text: '?', detail: '' };
  }
}

// Where a measurement's label hangs.
function anchor(m) {
  const [a, b] = m.points;
  if (m.kind === 'angle') return b;
  if (m.kind === 'circle') return circleThrough(...m.points)?.center ?? a;
  if (m.kind === 'face-angle') return a;
  return a.map((c, k) => (c + b[k]) / 2);
}

export function setupMeasure({ send, setOverlay, unit }) {
  let measurements = [];
  let picks = []; // { point, normal } picked so far for the measurement being made
  let active = false;
  let nextNumber = 1;
  let markerSize = 1;
  const button = $('measure-distance');
  const kindSelect = $('measure-kind');
  const stage = $('stage');
  const labels = new LabelSet('measure-label');
  const kind = () => kindSelect?.value || 'distance';

  const hint = (text) => {
    if ($('measure-hint')) $('measure-hint').textContent = text;
  };
  const prompt = () => hint(`${KINDS[kind()].label}: click ${KINDS[kind()].steps[picks.length]}.`);
  const setActive = (on) => {
    active = on && Boolean(button);
    picks = [];
    button?.setAttribute('aria-pressed', String(active));
    stage.classList.toggle('measuring', active);
    if (active) prompt();
    else hint('Choose a kind and 📏 Measure, then click points on the model.');
    redraw();
  };
  button?.addEventListener('click', () => setActive(!active));
  kindSelect?.addEventListener('change', () => {
    picks = [];
    if (active) prompt();
    redraw();
  });
  stage.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && active) {
      setActive(false);
      e.preventDefault();
    }
  });

  const cross = (p) => {
    const out = [];
    for (let k = 0; k < 3; k += 1) {
      const [a, b] = [[...p], [...p]];
      a[k] -= markerSize;
      b[k] += markerSize;
      out.push(a, b);
    }
    return out;
  };

  // Line-list points of one measurement.
  function shape(m) {
    const [a, b, c] = m.points;
    const ends = m.points.flatMap(cross);
    switch (m.kind) {
      case 'angle':
        return [a, b, b, c, ...ends];
      case 'circle': {
        const circle = circleThrough(a, b, c);
        if (!circle) return ends;
        const rim = circlePoints(circle);
        return [...rim.slice(0, -1).flatMap((p, i) => [p, rim[i + 1]]), ...cross(circle.center), ...ends];
      }
      case 'face-angle': {
        const tip = (p, n) => p.map((x, k) => x + n[k] * markerSize * 6);
        return [a, tip(a, m.normals[0]), b, tip(b, m.normals[1]), ...ends];
      }
      default:
        return [a, b, ...ends];
    }
  }

  function redraw() {
    const points = measurements.flatMap(shape);
    for (const p of picks) points.push(...cross(p.point));
    const lines = { positions: new Float32Array(points.flat()), rgba: LINE_RGBA };
    setOverlay(lines, new Float32Array(measurements.flatMap(anchor)));
    renderList();
  }

  function renderList() {
    const u = unit();
    $('measurements')?.replaceChildren(
      ...measurements.map((m) => {
        const { text, detail } = describe(m, u);
        const li = document.createElement('li');
        li.className = 'measurement';
        li.dataset.id = String(m.id);
        li.dataset.kind = m.kind;
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
        value.textContent = text;
        const delta = document.createElement('span');
        delta.className = 'm-delta';
        delta.textContent = detail;
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
    labels.sync(measurements, (m) => m.id, (el, m) => {
      el.textContent = describe(m, u).text;
    });
  }

  function add(m) {
    measurements.push({ id: nextNumber, name: `${KINDS[m.kind].label} ${nextNumber}`, ...m });
    nextNumber += 1;
    picks = [];
    hint(`${KINDS[m.kind].label} added. Click ${KINDS[m.kind].steps[0]} for another, or Esc to stop.`);
    redraw();
  }

  function complete() {
    const k = kind();
    const points = picks.map((p) => p.point);
    const normals = picks.map((p) => p.normal);
    if (k === 'circle' && !circleThrough(...points)) {
      picks = [];
      hint('Those three points are in a line: click three points around the rim.');
      redraw();
      return;
    }
    if (k === 'parallel') {
      const result = parallelDistance(points[0], normals[0], points[1], normals[1]);
      if (result.error) {
        picks = [];
        hint(`Not parallel: ${result.error}. Click the first face again.`);
        redraw();
        return;
      }
      add({ kind: k, points, normals, value: result.value });
      return;
    }
    if (k === 'thickness') {
      // The worker casts into the model; its answer completes the measurement.
      send({ type: 'thickness', point: points[0], normal: normals[0] });
      return;
    }
    add({ kind: k, points, normals });
  }

  return {
    // A click on the canvas (CSS pixels from its top left): pick there.
    click(xCss, yCss) {
      if (!active) return false;
      const dpr = window.devicePixelRatio || 1;
      const snap = KINDS[kind()].snap ? SNAP_CSS_PX * dpr : 0;
      send({ type: 'pick', x: xCss * dpr, y: yCss * dpr, snap, tool: 'measure' });
      return true;
    },
    picked(picked) {
      if (!active) return;
      if (!picked) {
        hint('That is not on the model: click on its surface.');
        return;
      }
      picks.push({ point: picked.point, normal: picked.normal });
      if (picks.length === KINDS[kind()].picks) {
        complete();
        return;
      }
      const at = picked.point.map((c) => Number(c.toPrecision(6))).join(', ');
      hint(`Point ${picks.length} (${picked.snap}) at ${at} ${unit()}. Now click ${KINDS[kind()].steps[picks.length]}.`);
      redraw();
    },
    // The worker's wall thickness for the pending pick.
    thickness(result) {
      if (!active || picks.length !== 1) return;
      if (!result) {
        picks = [];
        hint('The ray into the model never met the surface again: is the mesh closed there?');
        redraw();
        return;
      }
      add({ kind: 'thickness', points: [picks[0].point, result.far], normals: [picks[0].normal], value: result.value });
    },
    // Where the labels' anchors are on the canvas (device pixels; see Viewer.project).
    labels(positions) {
      labels.place(measurements, (m) => m.id, positions);
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
    isActive: () => active,
    snaps: () => KINDS[kind()].snap,
    markerSize: () => markerSize,
    unitChanged: () => renderList(),
    // For reports and shares: { kind, name, value (file units or degrees), text, points, normals? }.
    list: () =>
      measurements.map((m) => ({
        kind: m.kind,
        name: m.name,
        value: describe(m, unit()).value,
        text: describe(m, unit()).text,
        points: m.points,
        ...(m.normals?.length ? { normals: m.normals } : {}),
      })),
    // Measurements from a share (checked: they come from a file).
    load(list) {
      const vector = (p) => Array.isArray(p) && p.length === 3 && p.every(Number.isFinite);
      measurements = (Array.isArray(list) ? list : [])
        .filter((m) => KINDS[m?.kind] && Array.isArray(m.points) && m.points.length >= Math.min(KINDS[m.kind].picks, 2) && m.points.every(vector))
        .filter((m) => !['face-angle', 'parallel'].includes(m.kind) || (Array.isArray(m.normals) && m.normals.length === 2 && m.normals.every(vector)))
        .slice(0, 1000)
        .map((m, i) => ({
          id: i + 1,
          kind: m.kind,
          name: String(m.name ?? `${KINDS[m.kind].label} ${i + 1}`),
          points: m.points.map((p) => p.map(Number)),
          normals: Array.isArray(m.normals) ? m.normals.map((n) => n.map(Number)) : [],
          value: Number(m.value) || 0,
        }));
      nextNumber = measurements.length + 1;
      redraw();
    },
  };
}
