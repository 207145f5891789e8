// @ts-check
// The engine's wasm packages, as types only. Both viewer builds (web/pkg/webgpu/
// and web/pkg/webgl/) have the same bindings; the WebGPU one stands for both.
// The declarations are wasm-bindgen's, written next to the builds by `cargo xtask build`.

/** @typedef {typeof import('../pkg/webgpu/viewer_wasm.js')} ViewerPackage */
/** @typedef {import('../pkg/webgpu/viewer_wasm.js').Viewer} Viewer */
/** @typedef {typeof import('../pkg/tools/tools_wasm.js')} ToolsPackage */

export {};
