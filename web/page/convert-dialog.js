// @ts-check
// The Convert dialog: a worker converts the model shown now with the same code
// as the command-line tool (the tools wasm build) and hands back the files and a
// report of what was applied and what the format could not carry. Progress is
// shown and the conversion can be cancelled. Nothing is uploaded.
import { $ } from './dom.js';

// Above this many parts the list would be unwieldy; all of them are written.
const MAX_LISTED_PARTS = 500;

function list(id, lines) {
  $(id).replaceChildren(
    ...lines.map((line) => {
      const li = document.createElement('li');
      li.textContent = line;
      return li;
    }),
  );
}

// One checkbox per part of the model, all ticked.
function listParts(info) {
  const parts = info?.parts ?? [];
  const box = $('convert-parts-box');
  box.hidden = parts.length < 2 || parts.length > MAX_LISTED_PARTS;
  $('convert-parts').replaceChildren(
    ...(box.hidden ? [] : parts).map((part, index) => {
      const li = document.createElement('li');
      const label = document.createElement('label');
      label.className = 'check';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.checked = true;
      input.value = String(index);
      label.append(input, ` ${part.name} (${part.triangles.toLocaleString('en-US')} triangles)`);
      li.append(label);
      return li;
    }),
  );
}

// The chosen part numbers, or null for all of them.
/** @returns {NodeListOf<HTMLInputElement>} */
const partBoxes = () => document.querySelectorAll('#convert-parts input');

function chosenParts() {
  const boxes = [...partBoxes()];
  if (boxes.every((b) => b.checked)) return null;
  return boxes.filter((b) => b.checked).map((b) => Number(b.value));
}

/** @param {import('./page-api.js').PageApi} api */
export function setupConvertDialog(api) {
  const dialog = $('convert-dialog');
  let submittedAt = 0;
  const urls = [];
  let stopListening = () => {};
  // The running conversion is dropped: the page stops listening, the engine ends its worker.
  const cancel = () => {
    stopListening();
    api.send({ type: 'cancelConvert' });
  };
  const show = (result) => {
    $('convert-form').hidden = result;
    $('convert-result').hidden = !result;
  };
  const running = (on) => {
    $('convert-run').disabled = on;
    $('convert-running').hidden = !on;
    if (on) setProgress(0);
  };
  const setProgress = (fraction) => {
    $('convert-progress').value = fraction;
    $('convert-percent').textContent = `${Math.round(fraction * 100)}%`;
  };
  const fail = (message) => {
    running(false);
    $('convert-error').textContent = message;
    $('convert-error').hidden = false;
  };
  const tickAll = (checked) => {
    for (const box of partBoxes()) box.checked = checked;
  };
  $('convert-parts-all').addEventListener('click', () => tickAll(true));
  $('convert-parts-none').addEventListener('click', () => tickAll(false));
  $('convert-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    cancel();
    api.send({ type: 'releaseConverter' });
  });
  $('convert-done').addEventListener('click', () => dialog.close());
  $('convert-cancel').addEventListener('click', () => {
    cancel();
    fail('Conversion cancelled.');
    if (dialog.open) api.send({ type: 'prepareConvert' });
  });
  $('convert-again').addEventListener('click', () => {
    show(false);
    api.send({ type: 'prepareConvert' });
  });
  $('convert-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('convert-error').hidden = true;
    const parts = chosenParts();
    if (parts?.length === 0) {
      fail('Choose at least one part to write.');
      return;
    }
    running(true);
    submittedAt = performance.now();
    const options = {
      format: $('convert-format').value,
      units: $('convert-units').value,
      up: $('convert-up').value || null,
      merge: $('convert-merge').checked,
      keep_hierarchy: $('convert-keep-hierarchy').checked,
      weld: $('convert-weld').checked,
      parts,
    };
    stopListening();
    stopListening = api.runJob({ type: 'convert', options }, { progress: setProgress, done: converted, failed });
  });
  const converted = ({ report, files, timings }) => {
    running(false);
    // Where the time went (read by `cargo xtask bench`): in the conversion worker,
    // and from the Convert click to the download buttons.
    $('convert-result').dataset.timings = JSON.stringify(timings ?? {});
    $('convert-counts').textContent =
      `${report.triangles_in.toLocaleString('en-US')} triangles in, ${report.triangles_out.toLocaleString('en-US')} out.`;
    list('convert-applied', report.applied);
    list('convert-dropped', report.dropped.length ? report.dropped : ['nothing']);
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    $('convert-downloads').replaceChildren(...files.map(downloadButton));
    show(true);
    $('convert-result').dataset.elapsedMs = String(performance.now() - submittedAt);
  };
  // A button that downloads `file`. Its object URL is made on the first click,
  // not when the result is shown: just after a large conversion, registering
  // one waits for the browser to finish storing the Blob (5–25 ms for 50 MB
  // here), and most results are read before they are downloaded.
  const downloadButton = (file) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'download-link convert-download';
    button.dataset.fileName = file.name;
    button.textContent = `Download ${file.name} (${api.formatBytes(file.blob.size)})`;
    let url = null;
    button.addEventListener('click', () => {
      if (!url) {
        url = URL.createObjectURL(file.blob);
        urls.push(url);
      }
      const a = document.createElement('a');
      a.href = url;
      a.download = file.name;
      a.click();
    });
    return button;
  };
  const failed = (message) => {
    fail(message);
    if (dialog.open) api.send({ type: 'prepareConvert' });
  };
  // The job could not start, or its worker died.
  api.on('convertFailed', ({ message }) => failed(message));
  return {
    open() {
      show(false);
      running(false);
      $('convert-error').hidden = true;
      listParts(api.shownInfo());
      api.send({ type: 'prepareConvert' });
      dialog.showModal();
    },
  };
}
