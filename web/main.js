// The page: a thin UI. It starts the engine worker, hands it the canvas,
// forwards files and input, and shows progress, errors and model info.
// Nothing here uploads anything: files are read by the worker in this browser;
// only the share dialog (share-dialog.js), on the user's request, uploads an
// encrypted copy. The same script runs the recipient page (`/s/{id}`) and the
// embed page (`/e/{id}`), which lack the open-file controls; `data-page` on
// <body> says which page this is.
import { attachInput } from './input.js';
import { filesFromDrop } from './drop.js';
import { UNIT_LABELS, fixedUnit, rememberUnit, rememberedUnit } from './units.js';

const UNIT_NAMES = Object.keys(UNIT_LABELS);

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const forceWebgl2 = params.get('backend') === 'webgl2';
const page = document.body.dataset.page || 'app';

// Messages from the worker that the share modules handle: type → handler.
const listeners = new Map();

let worker = null;
let canvas = $('view');
// What is shown and what is being loaded: { entries } for files, { url } for a URL.
// The last good source is loaded again after a cancel, which restarts the worker.
let lastSource = null;
let pendingSource = null;
let loading = false;

function setState(state) {
  document.body.dataset.state = state;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function formatNumber(v) {
  if (!Number.isFinite(v)) return '—';
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(3) : Number(v.toPrecision(5)).toString();
}

function showProgress({ phase, name, loaded, total }) {
  $('progress').hidden = false;
  const label =
    {
      reading: 'Reading',
      downloading: 'Downloading',
      parsing: 'Parsing',
      decrypting: 'Decrypting',
      encrypting: 'Encrypting',
      uploading: 'Uploading',
    }[phase] || phase;
  $('progress-label').textContent = `${label} ${name}…`;
  const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : null;
  $('progress-figures').textContent =
    percent === null ? formatBytes(loaded) : `${formatBytes(loaded)} of ${formatBytes(total)} (${percent}%)`;
  if (percent === null) $('progress-bar').removeAttribute('value');
  else $('progress-bar').value = percent;
}

// The info of the model shown now (the Convert dialog lists its parts).
let shownInfo = null;

// The unit lengths are shown in: fixed by glTF (m) and 3MF (mm), chosen for the
// unitless formats (mm unless this file was given another one before).
let currentUnit = 'mm';
let unitKey = '';

function applyUnits(info) {
  const fixed = fixedUnit(info.format);
  unitKey = `${info.file_name}:${info.vertices}:${info.triangles}`;
  currentUnit = fixed ?? rememberedUnit(unitKey) ?? 'mm';
  if ($('units')) {
    $('units').value = currentUnit;
    $('units').disabled = Boolean(fixed);
  }
  showSize(info);
}

function showSize(info) {
  if (!info || !$('info-size')) return;
  $('info-size').textContent = `${info.size.map(formatNumber).join(' × ')} ${currentUnit}`;
}

function showInfo(info) {
  shownInfo = info;
  if (!$('info-file')) return; // the embed page has no info panel
  $('info-file').textContent = info.file_name;
  $('info-format').textContent = info.format;
  $('info-meshes').textContent = info.meshes.toLocaleString('en-US');
  $('info-vertices').textContent = info.vertices.toLocaleString('en-US');
  $('info-triangles').textContent = info.triangles.toLocaleString('en-US');
  $('info-triangles').dataset.count = String(info.triangles);
  applyUnits(info);
  const list = $('warnings');
  list.replaceChildren(
    ...info.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = w;
      return li;
    }),
  );
}

function showScale(spacing) {
  if (!$('scale')) return;
  $('scale').hidden = !(spacing > 0) || !$('grid').checked;
  $('scale').textContent = `Grid: ${formatNumber(spacing)} ${currentUnit} per cell`;
}

function onWorkerMessage(event) {
  const m = event.data;
  switch (m.type) {
    case 'ready':
      if ($('backend')) $('backend').textContent = m.backend;
      document.body.dataset.backend = m.backend;
      sendAllOptions();
      setState('ready');
      if (pendingSource) startLoad(pendingSource);
      break;
    case 'progress':
      showProgress(m);
      break;
    case 'loaded':
      loading = false;
      lastSource = pendingSource;
      $('progress').hidden = true;
      $('drop-hint')?.classList.add('hidden');
      showInfo(m.info);
      loadTools().then(() => {
        measure.reset(m.info);
        notes.reset();
        section?.reset();
        inspector?.reset();
        boundingBox?.reset(m.info);
      });
      if ($('report-run')) {
        $('report-run').disabled = false;
        $('report-links').replaceChildren();
        $('report-status').textContent = '';
      }
      document.body.dataset.triangles = String(m.info.triangles);
      if ($('share')) $('share').disabled = false;
      if ($('convert')) $('convert').disabled = false;
      if ($('up')) $('up').value = m.upAxis;
      showScale(m.gridSpacing);
      document.body.dataset.loadMs = String(Math.round(m.timings.totalMs));
      // For `cargo xtask bench`: bytes in memory → parsed, then → first frame (the 'timing' message).
      document.body.dataset.parseMs = m.timings.sinceBytesMs.toFixed(1);
      delete document.body.dataset.firstFrameMs;
      setState('loaded');
      break;
    case 'grid':
      showScale(m.gridSpacing);
      break;
    case 'frame':
      document.body.dataset.frames = String(m.frames);
      break;
    case 'timing':
      document.body.dataset.firstFrameMs = m.firstFrameMs.toFixed(1);
      document.body.dataset.firstFrameSteps = JSON.stringify(m.steps);
      break;
    case 'screenshot': {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(m.blob);
      a.download = `${($('info-file')?.textContent || 'view').replace(/\.[^.]+$/, '')}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      break;
    }
    case 'status':
      $('progress-label').textContent = m.message;
      break;
    case 'picked':
      if (m.tool === 'annotate') notes?.picked(m.picked);
      else if (m.tool === 'section') section?.picked(m.picked);
      else measure?.picked(m.picked);
      break;
    case 'labels':
      dispatchLabels(m.positions);
      break;
    case 'section':
      section?.cut(m);
      break;
    case 'thickness':
      measure?.thickness(m.thickness);
      break;
    case 'hovered':
      hovered(m.picked);
      break;
    case 'error':
      loading = false;
      $('progress').hidden = true;
      showError(m.request === 'init' ? `The 3D view could not start: ${m.message}` : m.message);
      setState(m.request === 'init' ? 'failed' : 'error');
      break;
    default:
      listeners.get(m.type)?.(m);
      break;
  }
}

// Starts (or restarts) the engine on a fresh canvas. A canvas can hand its
// control to only one OffscreenCanvas, so a restart replaces the element.
function startWorker() {
  if (worker) {
    worker.terminate();
    const fresh = canvas.cloneNode(false);
    canvas.replaceWith(fresh);
    canvas = fresh;
    attachCanvasInput();
  }
  setState('starting');
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = onWorkerMessage;
  worker.onerror = (e) => {
    showError(`The 3D engine failed to start: ${e.message || 'unknown error'}`);
    setState('failed');
  };
  const offscreen = canvas.transferControlToOffscreen();
  const { width, height } = canvasPixels();
  worker.postMessage({ type: 'init', canvas: offscreen, forceWebgl2, width, height }, [offscreen]);
}

function send(message, transfer = []) {
  if (worker) worker.postMessage(message, transfer);
}

// Starts a tools job (`message`: { type: 'convert', options } or { type:
// 'inspect' }). Its worker reports on a channel of its own, straight to this
// page (web/worker-tools.js): `progress(fraction)` …, then `done(result)` or
// `failed(message)`. The engine reports `${type}Failed` itself when the job
// cannot start or its worker dies. Returns a function that stops listening,
// for a cancel or a job that replaces this one.
function runJob(message, { progress, done, failed }) {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = ({ data }) => {
    if (data.type === 'progress') {
      progress(data.fraction);
      return;
    }
    port1.close();
    if (data.type === 'done') done(data.result);
    else failed(data.message);
  };
  send({ ...message, port: port2 }, [port2]);
  return () => port1.close();
}

function canvasPixels() {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  return { width: Math.max(1, Math.round(rect.width * dpr)), height: Math.max(1, Math.round(rect.height * dpr)) };
}

function startLoad(source) {
  if (!source || (source.entries && source.entries.length === 0)) return;
  clearError();
  pendingSource = source;
  if (document.body.dataset.state === 'starting') return; // sent once the worker is ready
  loading = true;
  setState('loading');
  if (source.share) {
    showProgress({ phase: 'downloading', name: 'the shared model', loaded: 0, total: source.share.size || 0 });
    send({ type: 'openShare', ...source.share });
  } else if (source.url) {
    showProgress({ phase: 'downloading', name: source.url, loaded: 0, total: 0 });
    send({ type: 'loadUrl', url: source.url });
  } else {
    showProgress({ phase: 'reading', name: source.entries[0].file.name, loaded: 0, total: source.entries[0].file.size });
    send({ type: 'load', entries: source.entries });
  }
}

function cancelLoad() {
  if (!loading) return;
  loading = false;
  $('progress').hidden = true;
  // Parsing runs to completion inside the worker, so cancelling means replacing
  // it; the previous model, if any, is loaded again from the files in memory.
  pendingSource = lastSource;
  startWorker();
}

const OPTIONS = ['projection', 'shading', 'wireframe', 'grid', 'background'];
function optionValue(id) {
  const el = $(id);
  return el.type === 'checkbox' ? String(el.checked) : el.value;
}
// Display options as the page shows them; the embed page has no toolbar and
// takes its background from the URL instead.
function displayOptions() {
  const options = {};
  for (const id of [...OPTIONS, 'up']) if ($(id)) options[id] = optionValue(id);
  return options;
}
function setDisplayOptions(options) {
  for (const [id, value] of Object.entries(options || {})) {
    const el = $(id);
    if (!el || typeof value !== 'string') continue;
    if (el.type === 'checkbox') el.checked = value === 'true';
    else if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === value)) continue;
    else el.value = value;
  }
}
function sendAllOptions() {
  for (const id of OPTIONS) if ($(id)) send({ type: 'option', name: id, value: optionValue(id) });
}

for (const id of [...OPTIONS, 'up']) {
  $(id)?.addEventListener(id === 'background' ? 'input' : 'change', () => {
    send({ type: 'option', name: id, value: optionValue(id) });
    if (id === 'grid' && $('scale')) $('scale').hidden = !$('grid').checked;
    // The section plane is clipped in the view's frame: turn it with the model.
    if (id === 'up') section?.refresh();
  });
}
$('home')?.addEventListener('click', () => send({ type: 'home' }));
$('screenshot')?.addEventListener('click', () => send({ type: 'screenshot' }));
$('cancel').addEventListener('click', cancelLoad);
$('file-input')?.addEventListener('change', (e) => {
  const files = [...e.target.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
  startLoad({ entries: files });
  e.target.value = '';
});
$('url-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const url = $('url-input').value.trim();
  if (url) startLoad({ url: new URL(url, location.href).href });
});

const stage = $('stage');
stage.addEventListener('dragover', (e) => {
  e.preventDefault();
  stage.classList.add('dragging');
});
stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
stage.addEventListener('drop', async (e) => {
  e.preventDefault();
  stage.classList.remove('dragging');
  // Only the main page opens local files; a recipient's page shows the share.
  if (page === 'app') startLoad({ entries: await filesFromDrop(e.dataTransfer) });
});

new ResizeObserver(() => send({ type: 'resize', ...canvasPixels() })).observe(stage);
matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener('change', () =>
  send({ type: 'resize', ...canvasPixels() }),
);

// Lines drawn over the model and points that carry labels (measurement values,
// note markers), by layer. The worker projects every layer's anchors after each
// frame; each layer gets back the positions of its own.
const overlayLayers = new Map(); // name → { lines, anchors, onLabels }
function setOverlayLayer(name, lines, anchors = new Float32Array(0), onLabels = null) {
  overlayLayers.set(name, { lines, anchors, onLabels });
  const all = [...overlayLayers.values()];
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
function dispatchLabels(positions) {
  let at = 0;
  for (const layer of overlayLayers.values()) {
    const count = layer.anchors.length; // 3 numbers in, 3 out per anchor
    if (count) layer.onLabels?.(positions.subarray(at, at + count));
    at += count;
  }
}

// Measuring, notes and inspecting. Clicks on the canvas pick points in the
// worker for whichever tool is on. A recipient's page shows shared
// measurements and notes without editing them.
const isApp = page === 'app' && Boolean($('measure-distance'));
// The tools (measuring, notes, section, statistics) load with the first model:
// the page is ready to view sooner, and viewing alone never needs them.
let measure = null;
let notes = null;
let section = null;
let inspector = null;
let boundingBox = null;
let toolsLoading = null;
function loadTools() {
  toolsLoading ??= Promise.all([
    import('./measure.js'),
    import('./annotate.js'),
    isApp ? import('./section-tool.js') : null,
    isApp ? import('./inspect-panel.js') : null,
    isApp ? import('./bbox.js') : null,
  ]).then(([measuring, annotating, sectioning, inspecting, boxing]) => {
    measure = measuring.setupMeasure({
      send,
      setOverlay: (lines, anchors) => setOverlayLayer('measure', lines, anchors, (p) => measure.labels(p)),
      unit: () => currentUnit,
    });
    notes = annotating.setupAnnotations({
      send,
      setOverlay: (lines, anchors) => setOverlayLayer('notes', lines, anchors, (p) => notes.labels(p)),
      editable: isApp,
    });
    if (sectioning) {
      section = sectioning.setupSection({ send, setOverlay: (lines) => setOverlayLayer('section', lines), unit: () => currentUnit });
    }
    if (inspecting) {
      inspector = inspecting.setupInspect({
        runJob,
        on: (type, handler) => listeners.set(type, handler),
        unit: () => currentUnit,
        setOverlayLayer,
      });
    }
    if (boxing) {
      boundingBox = boxing.setupBoundingBox({
        setOverlay: (lines, anchors, onLabels) => setOverlayLayer('bbox', lines, anchors, onLabels),
        unit: () => currentUnit,
      });
    }
    $('measure-distance')?.addEventListener('click', () => notes.deactivate());
    $('annotate')?.addEventListener('click', () => measure.deactivate());
  });
  return toolsLoading;
}
// The report's code loads on its first use.
$('report-run')?.addEventListener('click', async () => {
  const { makeReport } = await import('./report.js');
  await makeReport(api, { unit: () => currentUnit, inspector, measure, notes });
});
// Hover highlight: while a tool that picks is on, a marker shows what a click
// would pick (vertex, edge or surface), one pick in flight at a time.
const HOVER_RGBA = { vertex: [0.1, 1.0, 0.4, 1.0], edge: [0.2, 0.8, 1.0, 1.0], surface: [1.0, 1.0, 1.0, 1.0] };
let hoverBusy = false;
let hoverNext = null;
function hover(x, y) {
  const tool = measure?.isActive() ? 'measure' : notes?.isActive() ? 'annotate' : section?.isPicking() ? 'section' : null;
  if (!tool) {
    if (overlayLayers.get('hover')?.lines.length) setOverlayLayer('hover', new Float32Array(0));
    return;
  }
  const dpr = window.devicePixelRatio || 1;
  const request = { type: 'hover', x: x * dpr, y: y * dpr, snap: tool === 'measure' && measure.snaps() ? 8 * dpr : 0 };
  if (hoverBusy) {
    hoverNext = request;
    return;
  }
  hoverBusy = true;
  send(request);
}
function hovered(picked) {
  hoverBusy = false;
  if (hoverNext) {
    const next = hoverNext;
    hoverNext = null;
    hoverBusy = true;
    send(next);
  }
  if (!picked) {
    setOverlayLayer('hover', new Float32Array(0));
    return;
  }
  const size = measure.markerSize() * (picked.snap === 'surface' ? 0.6 : 1.2);
  const lines = new Float32Array(6 * 7);
  for (let k = 0; k < 3; k += 1) {
    const [a, b] = [[...picked.point], [...picked.point]];
    a[k] -= size;
    b[k] += size;
    lines.set([...a, ...HOVER_RGBA[picked.snap]], k * 14);
    lines.set([...b, ...HOVER_RGBA[picked.snap]], k * 14 + 7);
  }
  setOverlayLayer('hover', lines);
  document.body.dataset.hoverSnap = picked.snap;
}
function attachCanvasInput() {
  attachInput(stage, canvas, send, {
    onClick: (x, y) => section?.click(x, y) || measure?.click(x, y) || notes?.click(x, y),
    onHover: hover,
  });
}
$('units')?.addEventListener('change', (e) => {
  currentUnit = e.target.value;
  rememberUnit(unitKey, currentUnit);
  showSize(shownInfo);
  measure?.unitChanged();
  boundingBox?.unitChanged();
  section?.unitChanged();
  inspector?.unitChanged();
});

attachCanvasInput();
startWorker();
// Browser tests drive engine-only actions (a simulated GPU loss) through this.
if (params.has('test-hooks')) window.__sendToEngine = send;

// What the share modules may use of this page.
const api = {
  send,
  runJob,
  on: (type, handler) => listeners.set(type, handler),
  startLoad,
  showProgress,
  hideProgress: () => {
    $('progress').hidden = true;
  },
  showError,
  clearError,
  setLoading: (value) => {
    loading = value;
  },
  displayOptions,
  setDisplayOptions,
  sendAllOptions,
  formatBytes,
  params,
  shownInfo: () => shownInfo,
  // What a share carries besides the camera and display options.
  viewExtras: () => ({ units: currentUnit, measurements: measure?.list() ?? [], annotations: notes?.list() ?? [] }),
  // A share's view, on the recipient's page: its units, measurements and notes.
  async showSharedView(view) {
    await loadTools();
    if (UNIT_NAMES.includes(view?.units) && !fixedUnit(shownInfo?.format ?? '')) {
      currentUnit = view.units;
      showSize(shownInfo);
    }
    measure.load(view?.measurements);
    notes.load(view?.annotations);
  },
};
if (page === 'app') {
  // The share dialog's code loads when first needed: for the Share button, or to
  // list shares made earlier in this browser. Viewing alone never loads it.
  let dialog = null;
  const shareDialog = () => (dialog ??= import('./share-dialog.js').then((m) => m.setupShareDialog(api)));
  $('share').addEventListener('click', async () => (await shareDialog()).open());
  if (localStorage.getItem('3dms.myShares')?.length > 2) shareDialog();
  let converter = null;
  const convertDialog = () => (converter ??= import('./convert-dialog.js').then((m) => m.setupConvertDialog(api)));
  $('convert').addEventListener('click', async () => (await convertDialog()).open());
} else {
  const { startRecipient } = await import('./recipient.js');
  startRecipient(api, page);
}
