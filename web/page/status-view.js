// @ts-check
// What the page says about itself: its state (on <body data-state>, which the
// styles and the tests read), the error line and the progress box.
import { $ } from './dom.js';
import { formatBytes } from './format.js';

/** @typedef {import('../shared/messages.js').Progress} Progress */

/** @param {string} state starting, ready, loading, loaded, error or failed */
export function setState(state) {
  document.body.dataset.state = state;
}

/** @param {string} message */
export function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

export function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

/** @type {Record<string, string>} */
const PHASE_LABELS = {
  reading: 'Reading',
  downloading: 'Downloading',
  parsing: 'Parsing',
  decrypting: 'Decrypting',
  encrypting: 'Encrypting',
  uploading: 'Uploading',
};

/** @param {Progress} progress */
export function showProgress({ phase, name, loaded, total }) {
  $('progress').hidden = false;
  const label = PHASE_LABELS[phase] || phase;
  $('progress-label').textContent = `${label} ${name}…`;
  const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : null;
  $('progress-figures').textContent =
    percent === null ? formatBytes(loaded) : `${formatBytes(loaded)} of ${formatBytes(total)} (${percent}%)`;
  if (percent === null) $('progress-bar').removeAttribute('value');
  else $('progress-bar').value = percent;
}

export function hideProgress() {
  $('progress').hidden = true;
}

/** @param {string} message what the engine is doing instead of reading (a GPU recovery) */
export function showStatus(message) {
  $('progress-label').textContent = message;
}
