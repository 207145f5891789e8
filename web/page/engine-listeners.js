// @ts-check
// Engine messages that the lazily loaded modules (share dialog, recipient page,
// Convert dialog, inspection, report) handle: each registers a handler per type.

/** @typedef {import('../shared/messages.js').EngineToPage} EngineToPage */
/**
 * @template {EngineToPage['type']} T
 * @typedef {import('../shared/messages.js').MessageOf<EngineToPage, T>} EngineMessage
 */

/** @type {Map<string, (message: any) => void>} */
const listeners = new Map();

/**
 * Handles messages of `type` with `handler`, instead of any earlier one.
 * @template {EngineToPage['type']} T
 * @param {T} type
 * @param {(message: EngineMessage<T>) => void} handler
 */
export function on(type, handler) {
  listeners.set(type, handler);
}

/**
 * Hands `message` to the handler of its type, if one is registered yet.
 * @param {EngineToPage} message
 */
export function dispatch(message) {
  listeners.get(message.type)?.(message);
}
