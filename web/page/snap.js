// @ts-check
// How near the pointer a vertex or an edge must be, in CSS pixels, for a pick to
// snap to it: one distance for measuring, notes, sections and the hover marker
// (the engine gets it in device pixels with each pick).
export const SNAP_CSS_PX = 8;
