// @ts-check
// The one function per direction that posts a message between the page, the
// engine worker and a job worker (the messages are typed in messages.js).
// Posting only through these functions lets `tsc` (web/tsconfig*.json) reject
// a misspelt message type or field; the receiving switches treat a type they
// do not know as an error (`unknownMessage`).

/** @typedef {import('./messages.js').PageToEngine} PageToEngine */
/** @typedef {import('./messages.js').EngineToPage} EngineToPage */
/** @typedef {import('./messages.js').EngineToJob} EngineToJob */
/** @typedef {import('./messages.js').JobToEngine} JobToEngine */
/** @typedef {import('./messages.js').JobToPage} JobToPage */

/** @typedef {import('./messages.js').PostTarget} PostTarget */

/**
 * The page's one way to the engine.
 * @param {PostTarget} engine
 * @param {PageToEngine} message
 * @param {Transferable[]} [transfer]
 */
export function sendToEngine(engine, message, transfer = []) {
  engine.postMessage(message, transfer);
}

/**
 * The engine's one way to the page (`scope`: the engine worker's global scope).
 * @param {PostTarget} scope
 * @param {EngineToPage} message
 * @param {Transferable[]} [transfer]
 */
export function postToPage(scope, message, transfer = []) {
  scope.postMessage(message, transfer);
}

/**
 * The engine's one way to a job worker.
 * @param {PostTarget} job
 * @param {EngineToJob} message
 * @param {Transferable[]} [transfer]
 */
export function sendToJob(job, message, transfer = []) {
  job.postMessage(message, transfer);
}

/**
 * A job worker's one way back to the engine (`scope`: its global scope).
 * @param {PostTarget} scope
 * @param {JobToEngine} message
 */
export function postToEngine(scope, message) {
  scope.postMessage(message, []);
}

/**
 * A job worker's one way to the page: the job's MessagePort.
 * @param {PostTarget} port
 * @param {JobToPage} message
 * @param {Transferable[]} [transfer]
 */
export function replyToPage(port, message, transfer = []) {
  port.postMessage(message, transfer);
}

/**
 * For the `default:` of a switch over a message union: TypeScript sees `never`
 * there once every type is handled; at run time a type nobody sends is a bug.
 * @param {never} message
 * @param {string} receiver who received it, for the error
 * @returns {never}
 */
export function unknownMessage(message, receiver) {
  const type = /** @type {{ type?: unknown }} */ (message)?.type;
  throw new Error(`${receiver} received a message of unknown type ${JSON.stringify(type)}`);
}
