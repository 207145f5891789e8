// @ts-check
// Textures are decoded by the browser (its native decoders are faster than
// decoders compiled into the wasm, and leaving them out halves the download).

/** @typedef {import('./viewer-types.js').Viewer} Viewer */

/**
 * Decodes the images the engine is waiting for and hands it their pixels.
 * @param {Viewer} viewer
 */
export async function decodeImages(viewer) {
  for (const index of viewer.pendingImages()) {
    const bytes = viewer.pendingImage(index);
    let width = 0;
    let height = 0;
    let pixels = new Uint8Array(0);
    try {
      const bitmap = await createImageBitmap(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)]), {
        premultiplyAlpha: 'none',
        colorSpaceConversion: 'none',
      });
      ({ width, height } = bitmap);
      const canvas = new OffscreenCanvas(width, height);
      const context = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
      context.drawImage(bitmap, 0, 0);
      bitmap.close();
      pixels = new Uint8Array(context.getImageData(0, 0, width, height).data.buffer);
    } catch {
      // An undecodable image leaves its material untextured, with a warning.
    }
    viewer.setImagePixels(index, width, height, pixels);
  }
}
