// @ts-check
// The page: a thin UI. It starts the engine worker, hands it the canvas,
// forwards files and input, and shows progress, errors and model info; this
// module only wires the page's controls to the modules that do each job.
// Nothing here uploads anything: files are read by the worker in this browser;
// only the share dialog (share-dialog.js), on the user's request, uploads an
// encrypted copy. The same script runs the recipient page (`/s/{id}`) and the
// embed page (`/e/{id}`), which lack the open-file controls; `data-page` on
// <body> says which page this is.
import { watchDisplayOptions } from './display-options.js';
import { $ } from './dom.js';
import { filesFromDrop } from './drop.js';
import { canvasPixels, currentCanvas, send, startEngine } from './engine-link.js';
import { engineMessageHandler } from './engine-messages.js';
import { hover } from './hover-marker.js';
import { attachInput } from './input.js';
import { cancelLoad, startLoad } from './loading.js';
import { chooseUnit, unit } from './model-info.js';
import { pageApi } from './page-api.js';
import { tools } from './tools.js';

const params = new URLSearchParams(location.search);
const forceWebgl2 = params.get('backend') === 'webgl2';
const page = document.body.dataset.page || 'app';
// The main page's tools edit; a recipient's page shows shared measurements and notes.
const editable = page === 'app' && Boolean($('measure-distance'));
const stage = $('stage');

/** @param {HTMLCanvasElement} canvas */
function attachCanvasInput(canvas) {
  attachInput(stage, canvas, send, {
    onClick: (x, y) => tools.section?.click(x, y) || tools.measure?.click(x, y) || tools.notes?.click(x, y),
    onHover: hover,
  });
}
const onMessage = engineMessageHandler({ editable });
const startWorker = () => startEngine({ forceWebgl2, onMessage, onNewCanvas: attachCanvasInput });

watchDisplayOptions((id) => {
  if (id === 'grid' && $('scale')) $('scale').hidden = !$('grid').checked;
  // The section plane is clipped in the view's frame: turn it with the model.
  if (id === 'up') tools.section?.refresh();
});
$('home')?.addEventListener('click', () => send({ type: 'home' }));
$('screenshot')?.addEventListener('click', () => send({ type: 'screenshot' }));
$('cancel').addEventListener('click', () => cancelLoad(startWorker));
$('file-input')?.addEventListener('change', (/** @type {any} */ e) => {
  const files = [...e.target.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
  startLoad({ entries: files });
  e.target.value = '';
});
$('url-form')?.addEventListener('submit', (/** @type {Event} */ e) => {
  e.preventDefault();
  const url = $('url-input').value.trim();
  if (url) startLoad({ url: new URL(url, location.href).href });
});

stage.addEventListener('dragover', (/** @type {DragEvent} */ e) => {
  e.preventDefault();
  stage.classList.add('dragging');
});
stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
stage.addEventListener('drop', async (/** @type {DragEvent} */ e) => {
  e.preventDefault();
  stage.classList.remove('dragging');
  // Only the main page opens local files; a recipient's page shows the share.
  if (page === 'app') startLoad({ entries: await filesFromDrop(/** @type {DataTransfer} */ (e.dataTransfer)) });
});

new ResizeObserver(() => send({ type: 'resize', ...canvasPixels() })).observe(stage);
matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener('change', () =>
  send({ type: 'resize', ...canvasPixels() }),
);

// The report's code loads on its first use.
$('report-run')?.addEventListener('click', async () => {
  const { makeReport } = await import('./report.js');
  await makeReport(api, { unit, inspector: tools.inspector, measure: tools.measure, notes: tools.notes });
});
$('units')?.addEventListener('change', (/** @type {any} */ e) => {
  chooseUnit(e.target.value);
  tools.measure?.unitChanged();
  tools.boundingBox?.unitChanged();
  tools.section?.unitChanged();
  tools.inspector?.unitChanged();
});

attachCanvasInput(currentCanvas());
startWorker();
// Browser tests drive engine-only actions (a simulated GPU loss) through this.
if (params.has('test-hooks')) /** @type {any} */ (window).__sendToEngine = send;

const api = pageApi({ params, editable });
if (page === 'app') {
  // The share dialog's code loads when first needed: for the Share button, or to
  // list shares made earlier in this browser. Viewing alone never loads it.
  /** @type {Promise<{ open(): void }> | null} */
  let dialog = null;
  const shareDialog = () => (dialog ??= import('./share-dialog.js').then((m) => m.setupShareDialog(api)));
  $('share').addEventListener('click', async () => (await shareDialog()).open());
  if ((localStorage.getItem('3dms.myShares')?.length ?? 0) > 2) shareDialog();
  /** @type {Promise<{ open(): void }> | null} */
  let converter = null;
  const convertDialog = () => (converter ??= import('./convert-dialog.js').then((m) => m.setupConvertDialog(api)));
  $('convert').addEventListener('click', async () => (await convertDialog()).open());
} else {
  const { startRecipient } = await import('./recipient.js');
  startRecipient(api, page);
}
