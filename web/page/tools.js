// @ts-check
// The tools on the model (measuring, notes, section, statistics, bounding box).
// They load with the first model: the page is ready to view sooner, and viewing
// alone never needs them. A recipient's page shows shared measurements and
// notes without editing them, and has no section, statistics or box.
import { $ } from './dom.js';
import { send } from './engine-link.js';
import { on } from './engine-listeners.js';
import { runJob } from './jobs.js';
import { unit } from './model-info.js';
import { setOverlayLayer } from './overlay-layers.js';

/**
 * The tools once loaded (null before, and those a page does not have).
 * @type {{
 *   measure: ReturnType<typeof import('./measure.js').setupMeasure> | null,
 *   notes: ReturnType<typeof import('./annotate.js').setupAnnotations> | null,
 *   section: ReturnType<typeof import('./section-tool.js').setupSection> | null,
 *   inspector: ReturnType<typeof import('./inspect-panel.js').setupInspect> | null,
 *   boundingBox: ReturnType<typeof import('./bbox.js').setupBoundingBox> | null,
 * }}
 */
export const tools = { measure: null, notes: null, section: null, inspector: null, boundingBox: null };

/** @type {Promise<void> | null} */
let loading = null;

/**
 * Loads the tools once; `editable`: the main page's full set, else the recipient's.
 * @param {boolean} editable
 */
export function loadTools(editable) {
  loading ??= Promise.all([
    import('./measure.js'),
    import('./annotate.js'),
    editable ? import('./section-tool.js') : null,
    editable ? import('./inspect-panel.js') : null,
    editable ? import('./bbox.js') : null,
  ]).then(([measuring, annotating, sectioning, inspecting, boxing]) => {
    const measure = measuring.setupMeasure({
      send,
      setOverlay: (lines, anchors) => setOverlayLayer('measure', lines, anchors, (p) => measure.labels(p)),
      unit,
    });
    const notes = annotating.setupAnnotations({
      send,
      setOverlay: (lines, anchors) => setOverlayLayer('notes', lines, anchors, (p) => notes.labels(p)),
      editable,
    });
    tools.measure = measure;
    tools.notes = notes;
    if (sectioning) {
      tools.section = sectioning.setupSection({ send, setOverlay: (lines) => setOverlayLayer('section', lines), unit });
    }
    if (inspecting) tools.inspector = inspecting.setupInspect({ runJob, on, unit, setOverlayLayer });
    if (boxing) {
      tools.boundingBox = boxing.setupBoundingBox({
        setOverlay: (lines, anchors, onLabels) => setOverlayLayer('bbox', lines, anchors, onLabels),
        unit,
      });
    }
    $('measure-distance')?.addEventListener('click', () => notes.deactivate());
    $('annotate')?.addEventListener('click', () => measure.deactivate());
  });
  return loading;
}
