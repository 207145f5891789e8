// @ts-check
// The info panel of the model shown now, and the unit its lengths are shown
// in: fixed by glTF (m) and 3MF (mm), chosen for the unitless formats (mm
// unless this file was given another one before).
import { $ } from './dom.js';
import { formatNumber } from './format.js';
import { UNIT_LABELS, rememberUnit, rememberedUnit } from './units.js';

/** @typedef {import('../shared/messages.js').ModelInfo} ModelInfo */

const UNIT_NAMES = Object.keys(UNIT_LABELS);

/** @type {ModelInfo | null} The info of the model shown now (the Convert dialog lists its parts). */
let shownInfo = null;
let currentUnit = 'mm';
let unitKey = '';

export const shown = () => shownInfo;
export const unit = () => currentUnit;

/** @param {ModelInfo} info */
function applyUnits(info) {
  const fixed = info.unit;
  unitKey = `${info.file_name}:${info.vertices}:${info.triangles}`;
  currentUnit = fixed ?? rememberedUnit(unitKey) ?? 'mm';
  if ($('units')) {
    $('units').value = currentUnit;
    $('units').disabled = Boolean(fixed);
  }
  showSize(info);
}

/** @param {ModelInfo | null} info */
function showSize(info) {
  if (!info || !$('info-size')) return;
  $('info-size').textContent = `${info.size.map(formatNumber).join(' × ')} ${currentUnit}`;
}

/** @param {ModelInfo} info */
export function showInfo(info) {
  shownInfo = info;
  if (!$('info-file')) return; // the embed page has no info panel
  $('info-file').textContent = info.file_name;
  $('info-format').textContent = info.format;
  $('info-meshes').textContent = info.meshes.toLocaleString('en-US');
  $('info-vertices').textContent = info.vertices.toLocaleString('en-US');
  $('info-triangles').textContent = info.triangles.toLocaleString('en-US');
  $('info-triangles').dataset.count = String(info.triangles);
  applyUnits(info);
  const list = $('warnings');
  list.replaceChildren(
    ...info.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = w;
      return li;
    }),
  );
}

/** @param {number} spacing the grid's cell size, in the model's units */
export function showScale(spacing) {
  if (!$('scale')) return;
  $('scale').hidden = !(spacing > 0) || !$('grid').checked;
  $('scale').textContent = `Grid: ${formatNumber(spacing)} ${currentUnit} per cell`;
}

/** The user chose a unit: remembered for this file. @param {string} chosen */
export function chooseUnit(chosen) {
  currentUnit = chosen;
  rememberUnit(unitKey, currentUnit);
  showSize(shownInfo);
}

/** A share's unit, unless the format fixes one. @param {unknown} shared */
export function takeSharedUnit(shared) {
  if (typeof shared === 'string' && UNIT_NAMES.includes(shared) && !shownInfo?.unit) {
    currentUnit = shared;
    showSize(shownInfo);
  }
}
