// @ts-check
// The page's link to the engine worker: starts it on the canvas, restarts it on
// a fresh canvas, and sends it messages (the only place the page posts to it).
import { sendToEngine } from '../shared/protocol.js';
import { $ } from './dom.js';
import { setState, showError } from './status-view.js';

/** @typedef {import('../shared/messages.js').PageToEngine} PageToEngine */
/** @typedef {import('../shared/messages.js').EngineToPage} EngineToPage */

/** @type {Worker | null} */
let worker = null;
/** @type {HTMLCanvasElement} */
let canvas = $('view');

export const currentCanvas = () => canvas;

/**
 * Sends `message` to the engine (dropped while none runs).
 * @param {PageToEngine} message
 * @param {Transferable[]} [transfer]
 */
export function send(message, transfer = []) {
  if (worker) sendToEngine(worker, message, transfer);
}

/** The canvas's size in device pixels. */
export function canvasPixels() {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  return { width: Math.max(1, Math.round(rect.width * dpr)), height: Math.max(1, Math.round(rect.height * dpr)) };
}

/**
 * Starts (or restarts) the engine on a fresh canvas. A canvas can hand its
 * control to only one OffscreenCanvas, so a restart replaces the element;
 * `onNewCanvas(canvas)` then attaches the input to it.
 * @param {{
 *   forceWebgl2: boolean,
 *   onMessage: (message: EngineToPage) => void,
 *   onNewCanvas: (canvas: HTMLCanvasElement) => void,
 * }} how
 */
export function startEngine({ forceWebgl2, onMessage, onNewCanvas }) {
  if (worker) {
    worker.terminate();
    const fresh = /** @type {HTMLCanvasElement} */ (canvas.cloneNode(false));
    canvas.replaceWith(fresh);
    canvas = fresh;
    onNewCanvas(canvas);
  }
  setState('starting');
  worker = new Worker(new URL('../engine/worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (/** @type {MessageEvent<EngineToPage>} */ event) => onMessage(event.data);
  worker.onerror = (e) => {
    showError(`The 3D engine failed to start: ${e.message || 'unknown error'}`);
    setState('failed');
  };
  const offscreen = canvas.transferControlToOffscreen();
  const { width, height } = canvasPixels();
  send({ type: 'init', canvas: offscreen, forceWebgl2, width, height }, [offscreen]);
}
