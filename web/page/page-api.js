// @ts-check
// What the share dialog, the recipient page and the Convert dialog may use of
// this page: one object, so that those modules depend on nothing else of it.
import { displayOptions, sendAllOptions, setDisplayOptions } from './display-options.js';
import { send } from './engine-link.js';
import { on } from './engine-listeners.js';
import { formatBytes } from './format.js';
import { runJob } from './jobs.js';
import { setLoading, startLoad } from './loading.js';
import { shown, takeSharedUnit, unit } from './model-info.js';
import { clearError, hideProgress, showError, showProgress } from './status-view.js';
import { loadTools, tools } from './tools.js';

/** @typedef {import('../shared/messages.js').SharedView} SharedView */
/** @typedef {import('../shared/messages.js').ViewExtras} ViewExtras */

/**
 * @param {{ params: URLSearchParams, editable: boolean }} page the page's query, and whether it has the full tools
 */
export function pageApi({ params, editable }) {
  return {
    send,
    runJob,
    on,
    startLoad,
    showProgress,
    hideProgress,
    showError,
    clearError,
    setLoading,
    displayOptions,
    setDisplayOptions,
    sendAllOptions,
    formatBytes,
    params,
    shownInfo: shown,
    /** What a share carries besides the camera and display options. @returns {ViewExtras} */
    viewExtras: () => ({ units: unit(), measurements: tools.measure?.list() ?? [], annotations: tools.notes?.list() ?? [] }),
    /** A share's view, on the recipient's page: its units, measurements and notes. @param {SharedView | null} view */
    async showSharedView(view) {
      await loadTools(editable);
      takeSharedUnit(view?.units);
      tools.measure?.load(view?.measurements);
      tools.notes?.load(view?.annotations);
    },
  };
}

/** @typedef {ReturnType<typeof pageApi>} PageApi */
