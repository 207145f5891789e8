// @ts-check
// Turns pointer, wheel, touch and keyboard input on the stage into camera
// messages for the worker. Pixel deltas are in device pixels so the worker's
// camera maths matches the canvas resolution.

// `onClick(x, y)` gets a click that did not drag (CSS pixels from the canvas's
// top left), for picking points on the model; `onHover(x, y)` the mouse moving
// over it with no button pressed.
const CLICK_SLOP_CSS_PX = 4;

/**
 * @param {HTMLElement} stage
 * @param {HTMLCanvasElement} canvas
 * @param {(message: import('../shared/messages.js').PageToEngine) => void} send
 * @param {{ onClick?: (x: number, y: number) => unknown, onHover?: (x: number, y: number) => void }} [on]
 */
export function attachInput(stage, canvas, send, { onClick, onHover } = {}) {
  const pointers = new Map();
  let press = null; // where a one-pointer primary press started, while it may still be a click
  let pinchDistance = 0;
  const dpr = () => window.devicePixelRatio || 1;

  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey });
    press = pointers.size === 1 && e.button === 0 ? { x: e.clientX, y: e.clientY } : null;
    if (pointers.size === 2) pinchDistance = distance();
    stage.focus({ preventScroll: true });
  });
  canvas.addEventListener('pointermove', (e) => {
    const p = pointers.get(e.pointerId);
    if (!p) {
      // Moving over the model without a button pressed: what would a click pick?
      if (onHover && pointers.size === 0 && e.pointerType === 'mouse') {
        const rect = canvas.getBoundingClientRect();
        onHover(e.clientX - rect.left, e.clientY - rect.top);
      }
      return;
    }
    const dx = (e.clientX - p.x) * dpr();
    const dy = (e.clientY - p.y) * dpr();
    p.x = e.clientX;
    p.y = e.clientY;
    if (pointers.size === 2) {
      // Two fingers: pinch to zoom, drag to pan.
      const d = distance();
      if (pinchDistance > 0 && d > 0) send({ type: 'zoom', factor: d / pinchDistance });
      pinchDistance = d;
      send({ type: 'pan', dx: dx / 2, dy: dy / 2 });
    } else if (p.button === 2 || p.button === 1 || e.shiftKey) {
      send({ type: 'pan', dx, dy });
    } else {
      send({ type: 'orbit', dx, dy });
    }
  });
  const release = (e) => {
    if (e.type === 'pointerup' && press && pointers.size === 1 && onClick) {
      if (Math.hypot(e.clientX - press.x, e.clientY - press.y) <= CLICK_SLOP_CSS_PX) {
        const rect = canvas.getBoundingClientRect();
        onClick(e.clientX - rect.left, e.clientY - rect.top);
      }
    }
    press = null;
    pointers.delete(e.pointerId);
    pinchDistance = pointers.size === 2 ? distance() : 0;
  };
  canvas.addEventListener('pointerup', release);
  canvas.addEventListener('pointercancel', release);
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const lines = e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? 300 : 1;
      send({ type: 'zoom', factor: Math.exp((-e.deltaY * lines) / 500) });
    },
    { passive: false },
  );

  stage.addEventListener('keydown', (e) => {
    const step = 40;
    const panning = e.shiftKey;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key];
      send({ type: panning ? 'pan' : 'orbit', dx, dy });
    } else if (e.key === '+' || e.key === '=') {
      send({ type: 'zoom', factor: 1.2 });
    } else if (e.key === '-' || e.key === '_') {
      send({ type: 'zoom', factor: 1 / 1.2 });
    } else if (e.key === 'h' || e.key === 'H' || e.key === 'Home') {
      send({ type: 'home' });
    } else {
      return;
    }
    e.preventDefault();
  });

  function distance() {
    const [a, b] = [...pointers.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  }
}
