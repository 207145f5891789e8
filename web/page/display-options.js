// @ts-check
// The display options (projection, shading, wireframe, grid, background, up
// axis) as the page's controls hold them, and sending them to the engine. The
// embed page has no toolbar and takes its background from the URL instead.
import { $ } from './dom.js';
import { send } from './engine-link.js';

/** @typedef {import('../shared/protocol.js').DisplayOptionName} DisplayOptionName */
/** @typedef {import('../shared/protocol.js').DisplayOptions} DisplayOptions */

/** @type {DisplayOptionName[]} The options sent whenever the engine starts. */
const OPTIONS = ['projection', 'shading', 'wireframe', 'grid', 'background'];
/** @type {DisplayOptionName[]} What a share carries: those and the up axis. */
const SHOWN = [...OPTIONS, 'up'];

/** @param {DisplayOptionName} id */
function optionValue(id) {
  const el = $(id);
  return el.type === 'checkbox' ? String(el.checked) : el.value;
}

/** @returns {DisplayOptions} the options as the page shows them */
export function displayOptions() {
  /** @type {DisplayOptions} */
  const options = {};
  for (const id of SHOWN) if ($(id)) options[id] = optionValue(id);
  return options;
}

/** Shows `options` (a share's: checked, they come from a file) in the controls. @param {any} options */
export function setDisplayOptions(options) {
  for (const [id, value] of Object.entries(options || {})) {
    const el = $(id);
    if (!el || typeof value !== 'string') continue;
    if (el.type === 'checkbox') el.checked = value === 'true';
    else if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === value)) continue;
    else el.value = value;
  }
}

export function sendAllOptions() {
  for (const id of OPTIONS) if ($(id)) send({ type: 'option', name: id, value: optionValue(id) });
}

/**
 * Sends each option to the engine as it changes; `changed(name)` runs after.
 * @param {(name: DisplayOptionName) => void} changed
 */
export function watchDisplayOptions(changed) {
  for (const id of SHOWN) {
    $(id)?.addEventListener(id === 'background' ? 'input' : 'change', () => {
      send({ type: 'option', name: id, value: optionValue(id) });
      changed(id);
    });
  }
}
