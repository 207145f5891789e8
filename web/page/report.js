// @ts-check
// The inspection report, made in this browser (nothing is uploaded): a PDF for
// people — the view with the measurement labels, statistics, mesh health,
// measurements, annotations, units, the file's name, size and SHA-256, and the
// date — and a JSON file with the same data for programs, whose schema is
// docs/report.schema.json.
import { MARGIN_PT, PdfDocument } from './report-pdf.js';
import { UNIT_LABELS, formatLength } from './units.js';

import { $ } from './dom.js';
export const REPORT_SCHEMA_VERSION = 1;

/** @typedef {import('./page-api.js').PageApi} PageApi */
/** @typedef {import('../shared/messages.js').EngineToPage} EngineToPage */

// One reply of the engine worker to a request, as a promise.
/**
 * @template {'snapshot' | 'sourceDigest'} T
 * @param {PageApi} api
 * @param {import('../shared/messages.js').PageToEngine} request
 * @param {T} replyType
 * @returns {Promise<import('../shared/messages.js').MessageOf<EngineToPage, T>>}
 */
function ask(api, request, replyType) {
  return new Promise((resolve, reject) => {
    api.on(replyType, (message) => resolve(message));
    api.send(request);
    setTimeout(() => reject(new Error('the engine did not answer')), 120000);
  });
}

// The view as JPEG bytes with the measurement labels drawn in (they are page
// elements over the canvas, not part of the rendered image).
/** @param {PageApi} api */
async function snapshotWithLabels(api) {
  const { blob } = await ask(api, { type: 'snapshot' }, 'snapshot');
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  context.drawImage(bitmap, 0, 0);
  const view = $('view').getBoundingClientRect();
  const scale = bitmap.width / view.width;
  context.font = `${Math.round(12 * scale)}px monospace`;
  context.textAlign = 'center';
  for (const label of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.measure-label, .note-marker'))) {
    if (label.hidden) continue;
    const box = label.getBoundingClientRect();
    const [x, y] = [(box.left + box.width / 2 - view.left) * scale, (box.top + box.height / 2 - view.top) * scale];
    const width = context.measureText(label.textContent).width + 8 * scale;
    context.fillStyle = 'rgba(20, 22, 26, 0.85)';
    context.fillRect(x - width / 2, y - 9 * scale, width, 18 * scale);
    context.fillStyle = '#ffd166';
    context.fillText(label.textContent, x, y + 4 * scale);
  }
  const jpeg = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  return { bytes: new Uint8Array(await jpeg.arrayBuffer()), width: canvas.width, height: canvas.height };
}

export function buildReportData({ info, unit, digest, inspection, measurements, annotations, date }) {
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    generator: '3D Model Studio',
    generated_at: date.toISOString(),
    file: { name: info.file_name, format: info.format, size_bytes: digest.size, sha256: digest.sha256 },
    units: unit,
    model: { meshes: info.meshes, vertices: info.vertices, triangles: info.triangles, size: info.size },
    statistics: inspection.total.stats,
    health: inspection.total.health,
    parts: inspection.parts.map((p) => ({ name: p.name, statistics: p.stats, health: p.health })),
    measurements,
    annotations,
  };
}

/** @param {import('../shared/messages.js').ProblemKind[]} problems the health rows, in order */
function buildPdf(data, snapshot, problems) {
  const u = UNIT_LABELS[data.units];
  const plain = (v) => String(Number(v.toPrecision(6)));
  const pdf = new PdfDocument();
  pdf.text('Inspection report', { size: 18, bold: true, gap: 8 });
  pdf.text(`${data.file.name} — ${data.generated_at.slice(0, 10)}`, { size: 11, gap: 10 });
  pdf.jpeg(snapshot.bytes, snapshot.width, snapshot.height);
  pdf.text('File', { size: 13, bold: true, gap: 6 });
  pdf.row('Name', data.file.name);
  pdf.row('Format', data.file.format);
  pdf.row('Size', `${data.file.size_bytes.toLocaleString('en-US')} bytes`);
  pdf.row('SHA-256', data.file.sha256, { size: 8 });
  pdf.row('Units', `${u}${data.units === 'm' && /glTF/.test(data.file.format) ? ' (glTF)' : ''}`);
  pdf.row('Date', data.generated_at);
  pdf.space(8);
  const s = data.statistics;
  pdf.text('Statistics', { size: 13, bold: true, gap: 6 });
  pdf.row('Triangles', s.triangles.toLocaleString('en-US'));
  pdf.row('Surface area', `${plain(s.area)} ${u}²`);
  pdf.row('Volume', s.volume === null ? 'not closed: no volume' : `${plain(s.volume)} ${u}³`);
  pdf.row('Centre of mass', `${s.center_of_mass.map(plain).join(', ')} ${u}`);
  pdf.row('Bounding box', `${s.bounds_max.map((max, k) => plain(max - s.bounds_min[k])).join(' × ')} ${u}`);
  pdf.space(8);
  const h = data.health;
  pdf.text('Mesh health', { size: 13, bold: true, gap: 6 });
  pdf.row('Closed (watertight)', h.closed ? 'yes' : 'no');
  pdf.row('Shells', String(h.shells));
  for (const { kind, label } of problems) {
    pdf.row(label, h[kind].toLocaleString('en-US'));
  }
  pdf.space(8);
  pdf.text('Measurements', { size: 13, bold: true, gap: 6 });
  if (!data.measurements.length) pdf.text('None.');
  for (const m of data.measurements) {
    if (m.kind === 'distance') {
      const d = m.points[1].map((c, k) => plain(Math.abs(c - m.points[0][k])));
      pdf.row(m.name, `${formatLength(m.value, data.units)}  (dx ${d[0]}, dy ${d[1]}, dz ${d[2]} ${u})`);
    } else {
      pdf.row(m.name, m.text.replace('⌀', 'diameter'));
    }
  }
  pdf.space(8);
  pdf.text('Annotations', { size: 13, bold: true, gap: 6 });
  if (!data.annotations.length) pdf.text('None.');
  for (const a of data.annotations) pdf.row(`${a.number}.`, a.text);
  pdf.space(8);
  pdf.text(`Made in the browser by ${data.generator}; nothing was uploaded. Margins ${MARGIN_PT} pt.`, { size: 8 });
  return pdf.bytes();
}

// Object URLs of the last report's downloads, freed when the next is made.
const urls = [];

// Makes the report of the model shown and offers its two files for download.
/**
 * @param {PageApi} api
 * @param {{ unit: () => string, inspector: any, measure: any, notes: any }} tools
 */
export async function makeReport(api, { unit, inspector, measure, notes }) {
  const status = (text) => {
    $('report-status').textContent = text;
  };
  $('report-run').disabled = true;
  try {
    status('Analysing the mesh…');
    const inspection = inspector.report() ?? (await inspector.run());
    status('Drawing the view…');
    const snapshot = await snapshotWithLabels(api);
    const digest = await ask(api, { type: 'sourceDigest' }, 'sourceDigest');
    // The report button is enabled only once a model is shown.
    const info = /** @type {import('../shared/messages.js').ModelInfo} */ (api.shownInfo());
    const data = buildReportData({
      info,
      unit: unit(),
      digest,
      inspection,
      measurements: measure.list(),
      annotations: notes.list(),
      date: new Date(),
    });
    const pdf = buildPdf(data, snapshot, inspector.problems());
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    const stem = info.file_name.replace(/\.[^.]+$/, '');
    const link = (blob, name, label) => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      urls.push(a.href);
      a.download = name;
      a.className = 'download-link report-download';
      a.textContent = label;
      return a;
    };
    $('report-links').replaceChildren(
      link(new Blob([pdf], { type: 'application/pdf' }), `${stem}-report.pdf`, 'Download the PDF'),
      document.createTextNode(' '),
      link(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), `${stem}-report.json`, 'Download the JSON'),
    );
    status('');
  } catch (error) {
    status(`The report could not be made: ${error.message}`);
  } finally {
    $('report-run').disabled = false;
  }
}
