// @ts-check
// What the page does with each message from the engine. Messages for the
// lazily loaded modules go to their listeners; a type nobody sends is an error.
import { unknownMessage } from '../shared/protocol.js';
import { $ } from './dom.js';
import { sendAllOptions } from './display-options.js';
import { dispatch } from './engine-listeners.js';
import { hovered } from './hover-marker.js';
import { loadPending, loaded, setLoading } from './loading.js';
import { showInfo, showScale } from './model-info.js';
import { dispatchLabels } from './overlay-layers.js';
import { hideProgress, setState, showError, showProgress, showStatus } from './status-view.js';
import { loadTools, tools } from './tools.js';

/** @typedef {import('../shared/messages.js').EngineToPage} EngineToPage */
/** @typedef {import('../shared/messages.js').MessageOf<EngineToPage, 'loaded'>} Loaded */

/**
 * @param {{ editable: boolean }} page whether this page has the full tools (the main page)
 * @returns {(message: EngineToPage) => void}
 */
export function engineMessageHandler({ editable }) {
  /** @param {Loaded} m */
  const modelLoaded = (m) => {
    loaded();
    hideProgress();
    $('drop-hint')?.classList.add('hidden');
    showInfo(m.info);
    loadTools(editable).then(() => {
      tools.measure?.reset(m.info);
      tools.notes?.reset();
      tools.section?.reset();
      tools.inspector?.reset();
      tools.boundingBox?.reset(m.info);
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
  };

  /** @param {Blob} blob */
  const downloadScreenshot = (blob) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${($('info-file')?.textContent || 'view').replace(/\.[^.]+$/, '')}.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  };

  return (m) => {
    switch (m.type) {
      case 'ready':
        if ($('backend')) $('backend').textContent = m.backend;
        document.body.dataset.backend = m.backend;
        sendAllOptions();
        setState('ready');
        loadPending();
        break;
      case 'progress':
        showProgress(m);
        break;
      case 'loaded':
        modelLoaded(m);
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
      case 'screenshot':
        downloadScreenshot(m.blob);
        break;
      case 'status':
        showStatus(m.message);
        break;
      case 'picked':
        if (m.tool === 'annotate') tools.notes?.picked(m.picked);
        else if (m.tool === 'section') tools.section?.picked(m.picked);
        else tools.measure?.picked(m.picked);
        break;
      case 'labels':
        dispatchLabels(m.positions);
        break;
      case 'section':
        tools.section?.cut(m);
        break;
      case 'thickness':
        tools.measure?.thickness(m.thickness);
        break;
      case 'hovered':
        hovered(m.picked);
        break;
      case 'error':
        setLoading(false);
        hideProgress();
        showError(m.request === 'init' ? `The 3D view could not start: ${m.message}` : m.message);
        setState(m.request === 'init' ? 'failed' : 'error');
        break;
      // For the modules that registered for them (engine-listeners.js).
      case 'snapshot':
      case 'sourceDigest':
      case 'shareProgress':
      case 'shareCreated':
      case 'shareCancelled':
      case 'shareFailed':
      case 'sharePassword':
      case 'shareOpened':
      case 'convertFailed':
      case 'inspectFailed':
        dispatch(m);
        break;
      default:
        unknownMessage(m, 'The page');
    }
  };
}
