// @ts-check
// Statistics and mesh health of the model shown, computed by the tools wasm in
// a job worker (the same inspection as `model-studio info`), with a "Show"
// button per problem that draws where it is over the model. Lengths, areas and
// volumes carry the file's unit. Nothing leaves the browser.
import { formatLength, UNIT_LABELS } from './units.js';

import { $ } from './dom.js';
import { NO_LINES } from './overlay-layers.js';

// Linear RGBA of "show me" lines: red.
const SHOW_RGBA = [1.0, 0.08, 0.12, 1.0];

const number = (n) => Number(n).toLocaleString('en-US');
const plain = (v) => String(Number(v.toPrecision(6)));

export function setupInspect({ runJob, on, unit, setOverlayLayer }) {
  let result = null;
  let showing = null;
  let waiting = []; // { resolve, reject } of run() calls
  let stopListening = () => {};

  const inspected = (data) => {
    result = data;
    showing = null;
    $('inspect-run').disabled = false;
    $('inspect-status').textContent = '';
    render();
    for (const w of waiting.splice(0)) w.resolve(result.report);
  };
  const failed = (message) => {
    $('inspect-run').disabled = false;
    $('inspect-status').textContent = message;
    for (const w of waiting.splice(0)) w.reject(new Error(message));
  };
  const start = () => {
    $('inspect-run').disabled = true;
    $('inspect-status').textContent = 'Analysing… 0%';
    stopListening();
    stopListening = runJob(
      { type: 'inspect' },
      {
        progress: (fraction) => {
          $('inspect-status').textContent = `Analysing… ${Math.round(fraction * 100)}%`;
        },
        done: inspected,
        failed,
      },
    );
  };

  const row = (label, value, extra) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = label;
    const td = document.createElement('td');
    td.textContent = value;
    tr.append(th, td);
    if (extra) tr.append(extra);
    return tr;
  };

  function show(kind) {
    showing = showing === kind ? null : kind;
    const positions = showing ? result.lines[showing] : new Float32Array(0);
    setOverlayLayer('inspect', { positions, rgba: SHOW_RGBA });
    const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('#inspect-health button'));
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.kind === showing));
  }

  function render() {
    if (!result) return;
    const u = UNIT_LABELS[unit()];
    const { stats, health } = result.report.total;
    const size = stats.bounds_max.map((max, k) => max - stats.bounds_min[k]);
    $('inspect-stats').replaceChildren(
      row('Triangles', number(stats.triangles)),
      row('Surface area', `${plain(stats.area)} ${u}²`),
      row('Volume', stats.volume === null ? 'not closed: no volume' : `${plain(stats.volume)} ${u}³`),
      row('Centre of mass', `${stats.center_of_mass.map(plain).join(', ')} ${u}`),
      row('Bounding box', `${size.map(plain).join(' × ')} ${u}`),
      row('Shells', number(health.shells)),
    );
    const problems = result.problems.map(({ kind, label }) => {
      const count = health[kind];
      let button = null;
      if (count > 0 && result.lines[kind]?.length) {
        button = document.createElement('td');
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = 'Show';
        b.dataset.kind = kind;
        b.setAttribute('aria-pressed', String(showing === kind));
        b.title = 'Draw where this is on the model';
        b.addEventListener('click', () => show(kind));
        button.append(b);
      }
      const tr = row(label, number(count), button);
      tr.dataset.kind = kind;
      if (count > 0) tr.querySelector('td')?.classList.add('problem');
      return tr;
    });
    const closed = row('Closed (watertight)', health.closed ? 'yes' : 'no');
    if (!health.closed) closed.querySelector('td')?.classList.add('problem');
    $('inspect-health').replaceChildren(closed, ...problems);
    const parts = result.report.parts;
    $('inspect-parts-box').hidden = parts.length < 2;
    $('inspect-parts').replaceChildren(
      ...parts.map((p) => {
        const li = document.createElement('li');
        const volume = p.stats.volume === null ? 'not closed' : `${plain(p.stats.volume)} ${u}³`;
        li.textContent = `${p.name}: ${number(p.stats.triangles)} triangles, ${plain(p.stats.area)} ${u}², ${volume}`;
        return li;
      }),
    );
    $('inspect-result').hidden = false;
  }

  $('inspect-run').addEventListener('click', start);
  // The job could not start, or its worker died.
  on('inspectFailed', ({ message }) => failed(message));

  return {
    // A new model: the old figures no longer apply.
    reset() {
      result = null;
      showing = null;
      setOverlayLayer('inspect', NO_LINES);
      $('inspect-result').hidden = true;
      $('inspect-status').textContent = '';
      $('inspect-run').disabled = false;
    },
    unitChanged: render,
    // For the report: the figures, if analysed; run() analyses and resolves with them.
    report: () => result?.report ?? null,
    // The problem kinds of that report, in order, with their wording (the engine's).
    problems: () => result?.problems ?? [],
    run: () =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        start();
      }),
    formatLength: (v) => formatLength(v, unit()),
  };
}
