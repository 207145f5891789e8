// @ts-check
// The share dialog of the main page and the list of the user's own shares.
//
// Nothing is uploaded until the user presses "Create link". The worker then
// encrypts the model in this browser and uploads only ciphertext; the key is
// in the link's fragment (after '#'), which browsers never send to a server.
// The list of shares made here lives in this browser's localStorage only.
import { errorFromResponse, formatTimeLeft } from '../shared/share-messages.js';

import { $ } from './dom.js';
// Also read by page/main.js to decide whether to load this module at start.
const STORAGE_KEY = '3dms.myShares';

function loadMyShares() {
  try {
    const list = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function saveMyShares(list) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    // Storage full or disabled: the list is a convenience, the share still exists.
  }
}

async function deleteShare(id, ownerToken) {
  const response = await fetch(`/api/shares/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${ownerToken}` },
    credentials: 'omit',
  });
  // Already gone (expired, deleted elsewhere, swept) is as good as deleted.
  if (response.status === 204 || response.status === 404 || response.status === 410) return;
  throw await errorFromResponse(response);
}

function renderMyShares() {
  const now = Date.now() / 1000;
  // Expired shares are gone from the server; drop them here too.
  const list = loadMyShares().filter((s) => s.expiresAt > now);
  saveMyShares(list);
  const ul = $('my-shares');
  $('my-shares-empty').hidden = list.length > 0;
  ul.replaceChildren(
    ...list.map((share) => {
      const li = document.createElement('li');
      li.dataset.id = share.id;
      const name = document.createElement('a');
      name.href = share.link;
      name.target = '_blank';
      name.rel = 'noopener noreferrer';
      name.textContent = share.name;
      const left = document.createElement('span');
      left.className = 'muted';
      left.textContent = ` · ${formatTimeLeft(share.expiresAt - now)} left`;
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.textContent = 'Copy link';
      copy.addEventListener('click', () => navigator.clipboard?.writeText(share.link));
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'delete-share';
      remove.textContent = 'Delete';
      remove.addEventListener('click', async () => {
        remove.disabled = true;
        try {
          await deleteShare(share.id, share.ownerToken);
          saveMyShares(loadMyShares().filter((s) => s.id !== share.id));
          renderMyShares();
        } catch (error) {
          remove.disabled = false;
          left.textContent = ` · ${error.message}`;
        }
      });
      li.append(name, left, document.createElement('br'), copy, ' ', remove);
      return li;
    }),
  );
}

function embedSnippet(embedLink) {
  // The link goes in an attribute: escape what could end it.
  const src = embedLink.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return `<iframe src="${src}" width="640" height="480" style="border:0" allowfullscreen title="3D model"></iframe>`;
}

/** @param {import('./page-api.js').PageApi} api */
export function setupShareDialog(api) {
  const dialog = $('share-dialog');
  let qrUrl = null;

  const showSection = (name) => {
    $('share-form').hidden = name !== 'form';
    $('share-progress').hidden = name !== 'progress';
    $('share-result').hidden = name !== 'result';
  };
  const showShareError = (message) => {
    $('share-error').textContent = message;
    $('share-error').hidden = !message;
  };

  $('share-close').addEventListener('click', () => dialog.close());
  $('share-done').addEventListener('click', () => dialog.close());
  $('share-cancel').addEventListener('click', () => api.send({ type: 'cancelShare' }));

  $('share-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const maxViews = $('share-max-views').value.trim();
    if (maxViews && !(Number.isInteger(Number(maxViews)) && Number(maxViews) > 0)) {
      showShareError('The maximum number of views must be a whole number of at least 1, or empty for no limit.');
      return;
    }
    showShareError('');
    showSection('progress');
    $('share-progress-label').textContent = 'Encrypting…';
    $('share-progress-bar').removeAttribute('value');
    api.send({
      type: 'createShare',
      options: {
        expiresInSecs: Number($('share-expiry').value),
        maxViews: maxViews ? Number(maxViews) : null,
        password: $('share-password').value,
        allowDownload: $('share-allow-download').checked,
        // `?cipher=wasm` seals with the wasm's AES-GCM instead of WebCrypto (tests, benchmarks).
        cipher: api.params.get('cipher') || 'auto',
      },
      display: api.displayOptions(),
      extras: api.viewExtras(),
    });
  });

  api.on('shareProgress', ({ phase, loaded, total }) => {
    const label = phase === 'uploading' ? 'Uploading encrypted copy' : 'Encrypting in this browser';
    const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : null;
    $('share-progress-label').textContent =
      percent === null ? `${label}…` : `${label}… ${api.formatBytes(loaded)} of ${api.formatBytes(total)}`;
    if (percent === null) $('share-progress-bar').removeAttribute('value');
    else $('share-progress-bar').value = percent;
  });
  api.on('shareCancelled', () => {
    showSection('form');
    showShareError('Cancelled: nothing was shared.');
  });
  api.on('shareFailed', ({ message }) => {
    showSection('form');
    showShareError(message);
  });
  api.on('shareCreated', (share) => {
    $('share-password').value = '';
    $('share-link').value = share.link;
    $('share-embed').value = embedSnippet(share.embedLink);
    $('share-manage').value = share.manageLink;
    $('share-expires').textContent = `Expires in ${formatTimeLeft(share.expiresAt - Date.now() / 1000)}.`;
    if (qrUrl) URL.revokeObjectURL(qrUrl);
    qrUrl = URL.createObjectURL(new Blob([share.qrSvg], { type: 'image/svg+xml' }));
    $('share-qr').src = qrUrl;
    document.body.dataset.encryptMs = share.timings.encryptMs.toFixed(1);
    showSection('result');
    const list = loadMyShares().filter((s) => s.id !== share.id);
    list.unshift({
      id: share.id,
      name: share.name,
      link: share.link,
      ownerToken: share.ownerToken,
      expiresAt: share.expiresAt,
    });
    saveMyShares(list);
    renderMyShares();
  });

  for (const [button, field] of [
    ['share-copy-link', 'share-link'],
    ['share-copy-embed', 'share-embed'],
    ['share-copy-manage', 'share-manage'],
  ]) {
    $(button).addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText($(field).value);
        $(button).textContent = 'Copied';
      } catch {
        $(field).select();
      }
    });
  }

  renderMyShares();
  // Time left goes down while the page is open.
  setInterval(renderMyShares, 60 * 1000);
  return {
    open() {
      showSection('form');
      showShareError('');
      dialog.showModal();
    },
  };
}
