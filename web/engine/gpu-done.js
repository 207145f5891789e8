// @ts-check

/** @typedef {import('./viewer-types.js').Viewer} Viewer */

/**
 * Resolves once the GPU has finished the work submitted so far, so a frame is timed
 * to its completion rather than to its submission. The contexts are the ones wgpu
 * created on the canvas (getContext returns the existing one); WebGL's finish() is a
 * synchronous round trip to the GPU process in Chromium.
 * @param {Viewer} viewer
 * @param {OffscreenCanvas} canvas
 */
export async function gpuDone(viewer, canvas) {
  if (viewer.backend() === 'WebGPU') {
    // WebGPU's types are not in TypeScript's library: only what is used here.
    const context = /** @type {any} */ (canvas.getContext(/** @type {any} */ ('webgpu')));
    const device = context?.getConfiguration?.()?.device;
    if (device) await device.queue.onSubmittedWorkDone();
  } else {
    // finish() alone returned before SwiftShader had drawn (a 1M-triangle frame
    // "took" 1 ms): reading a pixel back cannot return before the frame is done.
    // The read binding is wgpu's, so it is put back afterwards.
    const gl = canvas.getContext('webgl2');
    if (gl) {
      const wgpuRead = gl.getParameter(gl.READ_FRAMEBUFFER_BINDING);
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, wgpuRead);
    }
  }
}
