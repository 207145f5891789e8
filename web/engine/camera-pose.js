// @ts-check
// The camera pose as an object. The engine speaks it as JSON with the same
// field names (Viewer.cameraPose / setCameraPose; studio_render::camera::CameraPose).

/** @typedef {import('../shared/messages.js').CameraPose} CameraPose */
/** @typedef {import('./viewer-types.js').Viewer} Viewer */

/**
 * @param {Viewer} viewer
 * @returns {CameraPose}
 */
export function readPose(viewer) {
  return JSON.parse(viewer.cameraPose());
}

/**
 * Applies `pose`; a pose with non-finite numbers or a distance ≤ 0 changes nothing.
 * @param {Viewer} viewer
 * @param {CameraPose} pose
 * @returns {boolean} whether it was applied
 */
export function writePose(viewer, pose) {
  return viewer.setCameraPose(JSON.stringify(pose));
}
