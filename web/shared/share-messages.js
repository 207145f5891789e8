// @ts-check
// What the share server's error codes (docs/share-api.md) mean to a person, for
// the sender's dialog, the recipient page and the worker alike.
/** @type {Record<string, (retryAfter: string | null) => string>} */
const MESSAGES = {
  rate_limited: (retryAfter) => `Too many requests from your network. Try again in ${retryAfter || 'a few'} seconds.`,
  too_large: () => 'The model is larger than this share server accepts.',
  storage_full: () => 'The share server is full right now. Try again later.',
  expired: () => 'This share has expired. Ask the sender for a new link.',
  deleted: () => 'This share was deleted by its owner.',
  view_limit_reached: () => 'This share has been viewed as many times as its owner allowed.',
  not_found: () => 'There is no share at this link: it never existed, or it expired or was deleted.',
  malformed_id: () => 'This link is not a valid share link. Copy the whole link and try again.',
  wrong_owner_token: () => 'This manage link does not belong to this share.',
};

/**
 * @param {number} status
 * @param {string} code
 * @param {string | null} retryAfter
 */
export function serverMessage(status, code, retryAfter) {
  const message = MESSAGES[code];
  return message ? message(retryAfter) : `The share server answered HTTP ${status}${code ? ` (${code})` : ''}.`;
}

// An Error for a failed response, with the server's error code as `code`.
/**
 * @param {Response} response
 * @returns {Promise<Error & { code: string }>}
 */
export async function errorFromResponse(response) {
  let code = '';
  try {
    code = (await response.json()).error || '';
  } catch {
    // Not JSON: the status says enough.
  }
  const error = new Error(serverMessage(response.status, code, response.headers.get('retry-after')));
  return Object.assign(error, { code });
}

// "3 days 4 h", "5 h 10 min", "12 min", for the time a share has left.
/** @param {number} seconds */
export function formatTimeLeft(seconds) {
  if (seconds <= 0) return 'expired';
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.max(1, Math.floor((seconds % 3600) / 60));
  if (days > 0) return `${days} day${days === 1 ? '' : 's'}${hours ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min`;
}
