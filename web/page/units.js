// @ts-check
// Lengths with their unit. STL, OBJ, PLY and OFF carry no unit: the user says
// what their numbers are in (millimetres unless told otherwise), remembered per
// file in this browser. A format that fixes its unit (glTF metres, our 3MF
// reader millimetres) says so in the engine's model info (`unit`).

export const UNIT_LABELS = { mm: 'mm', cm: 'cm', m: 'm', in: 'in' };
const STORE_PREFIX = '3dms.units:';

// `key` names the file (name and counts: the same file opened again).
export function rememberedUnit(key) {
  try {
    const unit = localStorage.getItem(STORE_PREFIX + key);
    return UNIT_LABELS[unit] ? unit : null;
  } catch {
    return null; // storage disabled
  }
}

export function rememberUnit(key, unit) {
  try {
    localStorage.setItem(STORE_PREFIX + key, unit);
  } catch {
    // Storage disabled or full: the choice lasts for this page only.
  }
}

// "14.1421 mm": six significant digits, no trailing zeros.
export function formatLength(value, unit) {
  if (!Number.isFinite(value)) return '—';
  const digits = Math.abs(value) >= 1e6 || (Math.abs(value) < 1e-4 && value !== 0) ? value.toExponential(4) : String(Number(value.toPrecision(6)));
  return `${digits} ${UNIT_LABELS[unit] ?? unit}`;
}
