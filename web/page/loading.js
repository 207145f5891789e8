// @ts-check
// Opening a model: from files, a URL or a share, and cancelling that. What is
// shown and what is being loaded are remembered: the last good source is
// loaded again after a cancel, which restarts the engine.
import { send } from './engine-link.js';
import { clearError, hideProgress, setState, showProgress } from './status-view.js';

/** @typedef {import('../shared/messages.js').FileEntry} FileEntry */
/**
 * @typedef {{ entries: FileEntry[] }
 *   | { url: string }
 *   | { share: { id: string, fragment: string, password: string | undefined, size: number, cipher: string } }
 * } Source
 */

/** @type {Source | null} */
let lastSource = null;
/** @type {Source | null} */
let pendingSource = null;
let loading = false;

/** @param {Source | null} source */
export function startLoad(source) {
  if (!source || ('entries' in source && source.entries.length === 0)) return;
  clearError();
  pendingSource = source;
  if (document.body.dataset.state === 'starting') return; // sent once the engine is ready
  loading = true;
  setState('loading');
  if ('share' in source) {
    showProgress({ phase: 'downloading', name: 'the shared model', loaded: 0, total: source.share.size || 0 });
    send({ type: 'openShare', ...source.share });
  } else if ('url' in source) {
    showProgress({ phase: 'downloading', name: source.url, loaded: 0, total: 0 });
    send({ type: 'loadUrl', url: source.url });
  } else {
    showProgress({ phase: 'reading', name: source.entries[0].file.name, loaded: 0, total: source.entries[0].file.size });
    send({ type: 'load', entries: source.entries });
  }
}

/** The engine is ready: load what was asked for while it started. */
export function loadPending() {
  if (pendingSource) startLoad(pendingSource);
}

/** The engine has shown the pending source. */
export function loaded() {
  loading = false;
  lastSource = pendingSource;
}

/** @param {boolean} value whether a load is in progress (a share waits for its password) */
export function setLoading(value) {
  loading = value;
}

/**
 * Cancels the load in progress. Parsing runs to completion inside the engine,
 * so cancelling means replacing it (`restart`); the previous model, if any, is
 * loaded again from the files in memory.
 * @param {() => void} restart
 */
export function cancelLoad(restart) {
  if (!loading) return;
  loading = false;
  hideProgress();
  pendingSource = lastSource;
  restart();
}
