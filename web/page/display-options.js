// @ts-check
// The display options (projection, shading, wireframe, grid, background, up
// axis) as the page's controls hold them, and sending them to the engine. The
// embed page has no toolbar and takes its background from the URL instead.
// The page speaks typed DisplayOptions only (checkboxes as booleans); what a
// share stores is converted to and from them by the engine's share code
// (web/engine/share-requests.js).
import { $ } from './dom.js';
import { send } from './engine-link.js';

/** @typedef {import('../shared/messages.js').DisplayOptionName} DisplayOptionName */
/** @typedef {import('../shared/messages.js').DisplayOptions} DisplayOptions */

/** @type {DisplayOptionName[]} The options sent whenever the engine starts. */
const OPTIONS = ['projection', 'shading', 'wireframe', 'grid', 'background'];
/** @type {DisplayOptionName[]} What a share carries: those and the up axis. */
const SHOWN = [...OPTIONS, 'up'];

/**
 * The controls' values of those of `ids` the page has. The selects hold only
 * the values their option elements offer, which are the engine's names.
 * @param {DisplayOptionName[]} ids
 * @returns {DisplayOptions}
 */
function readControls(ids) {
  /** @type {Record<string, string | boolean>} */
  const options = {};
  for (const id of ids) {
    const el = $(id);
    if (el) options[id] = el.type === 'checkbox' ? el.checked : el.value;
  }
  return /** @type {DisplayOptions} */ (options);
}

/** @returns {DisplayOptions} the options as the page shows them */
export function displayOptions() {
  return readControls(SHOWN);
}

/** Shows `options` (a share's: checked, they come from a file) in the controls. @param {DisplayOptions} options */
export function setDisplayOptions(options) {
  for (const [id, value] of Object.entries(options || {})) {
    const el = $(id);
    if (!el) continue;
    if (el.type === 'checkbox') {
      if (typeof value === 'boolean') el.checked = value;
    } else if (typeof value !== 'string') continue;
    else if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === value)) continue;
    else el.value = value;
  }
}

export function sendAllOptions() {
  const options = readControls(OPTIONS);
  if (Object.keys(options).length) send({ type: 'options', options });
}

/**
 * Sends each option to the engine as it changes; `changed(name)` runs after.
 * @param {(name: DisplayOptionName) => void} changed
 */
export function watchDisplayOptions(changed) {
  for (const id of SHOWN) {
    $(id)?.addEventListener(id === 'background' ? 'input' : 'change', () => {
      send({ type: 'options', options: readControls([id]) });
      changed(id);
    });
  }
}
