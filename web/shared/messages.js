// @ts-check
// Every message between the page, the engine worker (web/engine/worker.js) and
// a job worker (web/job/worker-job.js), both ways, as typed unions, with the
// values they carry. Types only: scripts refer to them in JSDoc
// (`import('../shared/messages.js').X`), which browsers never fetch, so none of
// this is downloaded; web/shared/protocol.js posts them.
//
//   page ──PageToEngine──▶ engine ──EngineToJob──▶ job
//   page ◀──EngineToPage── engine ◀──JobToEngine── job
//   page ◀──────────JobToPage (on the job's MessagePort)── job

// ---- values carried by the messages ------------------------------------------

/** @typedef {number[]} Vec3 A point or direction [x, y, z] in the model's units and axes. */

/** @typedef {{ file: File, path: string }} FileEntry A file chosen or dropped, with its path in a dropped folder. */

/** @typedef {{ name: string, bytes: Uint8Array }} Companion A file that goes with the model (a glTF's .bin, textures). */

/** @typedef {'projection' | 'shading' | 'wireframe' | 'grid' | 'background' | 'up'} DisplayOptionName */

/**
 * Display options as the engine takes them (Viewer.setOptions, studio_render::DisplayOptions):
 * each one present is applied, an absent one stays as it is. `background` is '#rrggbb'.
 * @typedef {{
 *   projection?: 'perspective' | 'orthographic', shading?: 'flat' | 'smooth', wireframe?: boolean,
 *   grid?: boolean, background?: string, up?: 'y' | 'z'
 * }} DisplayOptions
 */

/**
 * Display options as a share stores them (docs/share-format.md): strings as the
 * page's controls hold them, checkboxes as 'true'/'false'. Only the engine's
 * share code (web/engine/share-requests.js) converts between these and DisplayOptions.
 * @typedef {Partial<Record<DisplayOptionName, string>>} StoredDisplayOptions
 */

/**
 * The camera: what it looks at, from how far, and from which direction (radians).
 * @typedef {{ target: Vec3, distance: number, yaw: number, pitch: number }} CameraPose
 */

/**
 * What the engine reports of a loaded model (Viewer.load's JSON).
 * @typedef {{
 *   file_name: string, format: string, unit: LengthUnit | null, meshes: number, vertices: number,
 *   triangles: number, size: number[], min: number[], warnings: string[],
 *   parts?: { name: string, triangles: number }[]
 * }} ModelInfo
 */

/**
 * A unit of length, as the engine names it (studio_model::model::LengthUnit).
 * `unit` in ModelInfo is the one the format fixes (glTF "m", 3MF "mm"), or null
 * when the file has none and the user says what its numbers are.
 * @typedef {'mm' | 'cm' | 'm' | 'in'} LengthUnit
 */

/** @typedef {{ vertices: number, triangles: number }} ModelCounts */

/**
 * One overlay layer's lines: a line list of positions (x, y, z per vertex, two
 * vertices a segment, in model units and axes), all drawn in one linear RGBA
 * colour. The engine packs them into its vertex layout.
 * @typedef {{ positions: Float32Array, rgba: number[] }} OverlayLines
 */

/** @typedef {'vertex' | 'edge' | 'surface'} SnapKind */

/** @typedef {{ point: Vec3, normal: Vec3, snap: SnapKind }} Picked A point picked on the model. */

/** @typedef {'measure' | 'annotate' | 'section'} PickingTool */

/** @typedef {{ segments: number, area: number, perimeter: number, fraction: number }} SectionReadout */

/** @typedef {'reading' | 'downloading' | 'parsing' | 'decrypting' | 'encrypting' | 'uploading'} ProgressPhase */

/**
 * Progress of reading, downloading, parsing or decrypting a model (bytes).
 * `index` and `count` place a file among several selected together.
 * @typedef {{ phase: ProgressPhase, name: string, loaded: number, total: number, index?: number, count?: number }} Progress
 */

/**
 * How a share is made (the share dialog's form).
 * @typedef {{
 *   expiresInSecs: number, maxViews: number | null, password: string, allowDownload: boolean, cipher: string
 * }} ShareOptions
 */

/**
 * What a share carries besides the camera and display options (docs/share-format.md).
 * @typedef {{ units: string, measurements: object[], annotations: object[] }} ViewExtras
 */

/**
 * A share's saved view, as read from the share (a file: every field may be missing or wrong).
 * @typedef {{ camera?: any, display?: any, units?: any, measurements?: any, annotations?: any }} SharedView
 */

/**
 * A share just created.
 * @typedef {{
 *   id: string, ownerToken: string, expiresAt: number, size: number, name: string,
 *   link: string, embedLink: string, manageLink: string, qrSvg: string,
 *   timings: { encryptMs: number, plaintextBytes: number }
 * }} CreatedShare
 */

/**
 * The Convert dialog's choices (the tools wasm's JSON options).
 * @typedef {{
 *   format: string, units: string, up: string | null, merge: boolean, keep_hierarchy: boolean,
 *   weld: boolean, parts: number[] | null
 * }} ConvertOptions
 */

/**
 * The viewer's parsed model handed to a job: its description and its arrays
 * (each dropped, set to null, once copied into the job's wasm memory).
 * @typedef {{ description: any, buffers: (ArrayBuffer | null)[] }} HandedScene
 */

/** @typedef {{ name: string, blob: Blob }} ConvertedFile */

/** @typedef {{ report: any, files: ConvertedFile[], timings: Record<string, number | string> }} ConvertResult */

/**
 * A kind of mesh health problem as the engine names and words it
 * (studio_model::inspect::health::HealthKind), in the order to list them.
 * @typedef {{ kind: string, label: string }} ProblemKind
 */

/** @typedef {{ report: any, lines: Record<string, Float32Array>, problems: ProblemKind[] }} InspectResult */

/** @typedef {'convert' | 'inspect'} JobKind */

// ---- page → engine -----------------------------------------------------------

/**
 * @typedef {{ type: 'init', canvas: OffscreenCanvas, forceWebgl2: boolean, width: number, height: number }
 *   | { type: 'load', entries: FileEntry[] }
 *   | { type: 'loadUrl', url: string }
 *   | { type: 'openShare', id: string, fragment: string, password: string | undefined, size: number, cipher: string }
 *   | { type: 'sharePassword', password: string }
 *   | { type: 'createShare', options: ShareOptions, display: DisplayOptions, extras: ViewExtras }
 *   | { type: 'cancelShare' }
 *   | { type: 'resize', width: number, height: number }
 *   | { type: 'orbit', dx: number, dy: number }
 *   | { type: 'pan', dx: number, dy: number }
 *   | { type: 'zoom', factor: number }
 *   | { type: 'home' }
 *   | { type: 'options', options: DisplayOptions }
 *   | { type: 'initialCamera', yawDeg: number | null, pitchDeg: number | null, zoom: number | null }
 *   | { type: 'autoRotate', degPerSec: number }
 *   | { type: 'pick', x: number, y: number, snap: number, tool: PickingTool }
 *   | { type: 'hover', x: number, y: number, snap: number }
 *   | { type: 'thickness', point: Vec3, normal: Vec3 }
 *   | { type: 'section', normal: Vec3, fraction: number }
 *   | { type: 'sectionThrough', normal: Vec3, point: Vec3 }
 *   | { type: 'clearSection' }
 *   | { type: 'overlay', layers: OverlayLines[], anchors: Float32Array }
 *   | { type: 'screenshot' }
 *   | { type: 'snapshot' }
 *   | { type: 'sourceDigest' }
 *   | { type: 'prepareConvert' }
 *   | { type: 'releaseConverter' }
 *   | { type: 'convert', options: ConvertOptions, port: MessagePort }
 *   | { type: 'cancelConvert' }
 *   | { type: 'inspect', port: MessagePort }
 *   | { type: 'simulateDeviceLoss' }
 * } PageToEngine
 */

// ---- engine → page -----------------------------------------------------------

/**
 * @typedef {{ type: 'ready', backend: string }
 *   | ({ type: 'progress' } & Progress)
 *   | { type: 'status', message: string }
 *   | {
 *       type: 'loaded', info: ModelInfo, upAxis: string, gridSpacing: number,
 *       timings: { parseMs: number, totalMs: number, sinceBytesMs: number }
 *     }
 *   | { type: 'grid', gridSpacing: number }
 *   | { type: 'frame', frames: number }
 *   | { type: 'timing', firstFrameMs: number, steps: Record<string, number> }
 *   | { type: 'labels', positions: Float32Array }
 *   | { type: 'picked', picked: Picked | null, tool: PickingTool }
 *   | { type: 'hovered', picked: Picked | null }
 *   | { type: 'thickness', thickness: { value: number, far: Vec3 } | null }
 *   | { type: 'section', readout: SectionReadout | null, lines: Float32Array }
 *   | { type: 'screenshot', blob: Blob }
 *   | { type: 'snapshot', blob: Blob }
 *   | { type: 'sourceDigest', size: number, sha256: string }
 *   | { type: 'shareProgress', phase: 'encrypting' | 'uploading', loaded: number, total: number }
 *   | ({ type: 'shareCreated' } & CreatedShare)
 *   | { type: 'shareCancelled' }
 *   | { type: 'shareFailed', message: string }
 *   | { type: 'sharePassword', wrong: boolean }
 *   | {
 *       type: 'shareOpened', name: string, size: number, display: DisplayOptions, view: SharedView | null,
 *       original: Blob | null, decryptMs: number
 *     }
 *   | { type: 'convertFailed', message: string }
 *   | { type: 'inspectFailed', message: string }
 *   | { type: 'error', request: string, message: string }
 * } EngineToPage
 */

// ---- engine → job, job → engine, job → page ----------------------------------

/**
 * A job's model: the viewer's parsed scene when handed over, else the original file.
 * @typedef {{ name: string, source: Blob, companions: Companion[], scene: HandedScene | null, port: MessagePort }} JobInput
 */

/**
 * @typedef {{ type: 'init', module: WebAssembly.Module, model: ModelCounts | null }
 *   | ({ type: 'convert', options: ConvertOptions } & JobInput)
 *   | ({ type: 'inspect' } & JobInput)
 * } EngineToJob
 */

/** @typedef {{ type: 'finished' }} JobToEngine */

/**
 * On the job's own MessagePort, straight to the page.
 * @typedef {{ type: 'progress', fraction: number }
 *   | { type: 'done', result: ConvertResult | InspectResult }
 *   | { type: 'failed', message: string }
 * } JobToPage
 */

// ---- helpers -----------------------------------------------------------------

/**
 * The member of union `M` whose type is `T`.
 * @template {{ type: string }} M
 * @template {M['type']} T
 * @typedef {Extract<M, { type: T }>} MessageOf
 */

/** @typedef {{ postMessage(message: any, transfer: Transferable[]): void }} PostTarget A Worker, a worker's global scope or a MessagePort. */

export {};
