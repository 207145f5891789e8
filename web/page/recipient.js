// @ts-check
// The recipient's side of a share: the page at /s/{id}#{secret} and the embed
// page at /e/{id}#{secret}. It asks the server how big the share is and how long
// it has left (that costs no view), then, on the user's request (the embed page:
// at once), has the worker download the ciphertext and decrypt it in this
// browser. The secret after '#' never leaves the browser: browsers do not send
// fragments, and this code only hands it to the worker.
//
// A manage link (#{secret}&owner={token}) also offers to delete the share; the
// owner token is sent only in that DELETE request's Authorization header.
import { errorFromResponse, formatTimeLeft } from '../shared/share-messages.js';

import { $ } from './dom.js';

function parseLink() {
  const id = decodeURIComponent(location.pathname.split('/')[2] || '');
  const [secret, ...rest] = location.hash.slice(1).split('&');
  const extras = new URLSearchParams(rest.join('&'));
  return { id, secret, ownerToken: extras.get('owner') };
}

function setStatus(text, gone = false) {
  $('share-status').textContent = text;
  $('share-status').classList.toggle('gone', gone);
  document.body.dataset.shareStatus = gone ? 'gone' : 'ok';
}

// Embed options from the query string: ?bg=rrggbb&autorotate=1&ui=0&yaw=30&pitch=20&zoom=1.5
function embedOptions(params) {
  const background = /^[0-9a-fA-F]{6}$/.test(params.get('bg') || '') ? `#${params.get('bg')}` : null;
  const number = (name) => (params.has(name) && Number.isFinite(Number(params.get(name))) ? Number(params.get(name)) : null);
  const autorotate = params.get('autorotate');
  return {
    background,
    autoRotateDegPerSec: autorotate === '1' || autorotate === 'true' ? 20 : Number(autorotate) || 0,
    hideUi: params.get('ui') === '0',
    yawDeg: number('yaw'),
    pitchDeg: number('pitch'),
    zoom: number('zoom'),
  };
}

async function fetchMeta(id) {
  const response = await fetch(`/api/shares/${encodeURIComponent(id)}/meta`, { cache: 'no-store', credentials: 'omit' });
  if (!response.ok) throw await errorFromResponse(response);
  return response.json();
}

function describe(meta, formatBytes) {
  const parts = [`${formatBytes(meta.size)} encrypted`, `expires in ${formatTimeLeft(meta.expires_at - Date.now() / 1000)}`];
  if (meta.views_left !== null && meta.views_left !== undefined) {
    parts.push(`${meta.views_left} view${meta.views_left === 1 ? '' : 's'} left`);
  }
  return `Shared model · ${parts.join(' · ')}.`;
}

/**
 * @param {import('./page-api.js').PageApi} api
 * @param {string} page 'share' or 'embed'
 */
export async function startRecipient(api, page) {
  const { id, secret, ownerToken } = parseLink();
  const embed = page === 'embed';
  // Read on the embed page only.
  const options = embedOptions(api.params);
  if (embed) {
    document.body.classList.toggle('no-ui', options.hideUi);
    $('embed-badge').href = `/s/${encodeURIComponent(id)}${location.hash.split('&')[0]}`;
    if (options.background) api.send({ type: 'options', options: { background: options.background } });
  }

  if (!secret || secret.length !== 43) {
    setStatus('This link is incomplete: the key after “#” is missing. Copy the whole link and try again.', true);
    return;
  }

  let meta;
  try {
    meta = await fetchMeta(id);
  } catch (error) {
    setStatus(error.message, true);
    return;
  }
  setStatus(describe(meta, api.formatBytes));

  const open = (password) => {
    $('share-view')?.setAttribute('hidden', '');
    api.setLoading(true);
    const cipher = api.params.get('cipher') || 'auto';
    api.startLoad({ share: { id, fragment: secret, password, size: meta.size, cipher } });
  };

  api.on('sharePassword', ({ wrong }) => {
    api.hideProgress();
    api.setLoading(false);
    $('share-panel').hidden = false;
    $('password-form').hidden = false;
    $('password-wrong').hidden = !wrong;
    document.body.dataset.passwordPrompt = wrong ? 'wrong' : 'asked';
    $('share-password').focus();
  });
  $('password-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const password = $('share-password').value;
    if (!password) return;
    $('password-wrong').hidden = true;
    api.showProgress({ phase: 'decrypting', name: 'the shared model', loaded: 0, total: 0 });
    api.send({ type: 'sharePassword', password });
  });

  api.on('shareOpened', ({ name, display, view, original }) => {
    $('password-form').hidden = true;
    api.setDisplayOptions(display);
    api.showSharedView(view);
    setStatus(`${name} · shared with you · ${describe(meta, api.formatBytes).replace(/^Shared model · /, '')}`);
    if (original && $('share-download')) {
      $('share-download').href = URL.createObjectURL(original);
      $('share-download').download = name;
      $('share-download').hidden = false;
    }
    if (embed) {
      $('share-panel').hidden = true;
      // The page embedding us chose these; they win over the sender's view.
      if (options.background) api.send({ type: 'options', options: { background: options.background } });
      if (options.yawDeg !== null || options.pitchDeg !== null || options.zoom !== null) {
        api.send({ type: 'initialCamera', yawDeg: options.yawDeg, pitchDeg: options.pitchDeg, zoom: options.zoom });
      }
      if (options.autoRotateDegPerSec) api.send({ type: 'autoRotate', degPerSec: options.autoRotateDegPerSec });
    }
  });

  if (ownerToken && $('share-delete')) {
    $('share-delete').hidden = false;
    $('share-delete').addEventListener('click', async () => {
      $('share-delete').disabled = true;
      try {
        const response = await fetch(`/api/shares/${encodeURIComponent(id)}`, {
          method: 'DELETE',
          headers: { Authorization: `Bearer ${ownerToken}` },
          credentials: 'omit',
        });
        if (response.status !== 204) throw await errorFromResponse(response);
        setStatus('This share is deleted. Its link no longer opens anything.', true);
        $('share-view')?.setAttribute('hidden', '');
        $('share-delete').hidden = true;
      } catch (error) {
        $('share-delete').disabled = false;
        setStatus(error.message, true);
      }
    });
  }

  if (embed) {
    open(undefined);
  } else {
    $('share-view').hidden = false;
    $('share-view').addEventListener('click', () => open(undefined));
  }
}
