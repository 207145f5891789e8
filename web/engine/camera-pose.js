// @ts-check
// The camera pose as an object. The engine speaks positional arrays
// (Viewer.cameraPose / setCameraPose: [target x, y, z, distance, yaw, pitch]);
// only this module knows that order.

/** @typedef {import('../shared/protocol.js').CameraPose} CameraPose */
/** @typedef {import('./viewer-types.js').Viewer} Viewer */

/**
 * @param {Viewer} viewer
 * @returns {CameraPose}
 */
export function readPose(viewer) {
  const [x, y, z, distance, yaw, pitch] = viewer.cameraPose();
  return { target: [x, y, z], distance, yaw, pitch };
}

/**
 * @param {Viewer} viewer
 * @param {CameraPose} pose
 */
export function writePose(viewer, { target, distance, yaw, pitch }) {
  viewer.setCameraPose(new Float32Array([...target, distance, yaw, pitch]));
}
