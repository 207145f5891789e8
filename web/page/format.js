// @ts-check
// Numbers as the page shows them.

/** @param {number} n a byte count */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** @param {number} v a length or size, five significant digits */
export function formatNumber(v) {
  if (!Number.isFinite(v)) return '—';
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(3) : Number(v.toPrecision(5)).toString();
}
