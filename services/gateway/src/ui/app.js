// The share UI: vanilla ES module, no build step, no CDN. Talks only to /api/v1 with the bearer
// token brought once as ?token= and kept in sessionStorage.
import { BRANDED_URL, MUSIC_URL, PRIVACY_LABELS, decide, problemText, shareBody } from './composer.js';

const $ = (id) => document.getElementById(id);
const state = {
  token: null, accountId: null, creator: null, video: null, busy: false, shared: false, idempotencyKey: null,
};

function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('token', fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search);
  }
  return sessionStorage.getItem('token');
}

async function api(path, init = {}) {
  const res = await fetch(`/api/v1${path}`, { ...init, headers: { ...(init.headers || {}), authorization: `Bearer ${state.token}` } });
  if (res.status === 204) return null;
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.blob();
  if (!res.ok) throw Object.assign(new Error(body.detail || res.statusText), { problem: body });
  return body;
}

function flash(text, isError = false) {
  const el = $('flash');
  el.textContent = text;
  el.className = isError ? 'error' : 'note';
  el.hidden = !text;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, attrs);
  node.append(...children);
  return node;
}

// ---------- accounts, media, connect ----------

async function loadAccounts() {
  const { accounts } = await api('/tiktok/accounts');
  const list = $('accounts');
  list.replaceChildren(...accounts.map((a) => el('li', {},
    `${a.displayName} (${a.status.replaceAll('_', ' ')})`,
    el('button', { type: 'button', textContent: 'Post to this account', disabled: a.status !== 'connected', onclick: () => openComposer(a.accountId) }),
  )));
  if (accounts.length === 0) list.replaceChildren(el('li', { textContent: 'No TikTok account connected yet.' }));
}

async function loadMedia() {
  const { items } = await api('/media');
  $('media').replaceChildren(...items.map((m) => el('li', {},
    el('label', {}, el('input', { type: 'radio', name: 'video', value: m.path, onchange: () => pickVideo(m) }), ` ${m.path} (${m.durationSec ?? '?'} s)`),
  )));
}

async function connect() {
  try {
    const { authUrl } = await api(`/tiktok/auth/url?returnTo=${encodeURIComponent('/')}`);
    location.href = authUrl;
  } catch (err) { flash(problemText(err.problem || {}), true); }
}

async function pickVideo(m) {
  state.video = m;
  render();
  try {
    const blob = await api(`/media/${encodeURIComponent(m.path)}`);
    const preview = $('preview');
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(blob);
  } catch { /* the preview is best effort; duration came from the listing */ }
}

// ---------- composer ----------

async function openComposer(accountId) {
  state.accountId = accountId;
  state.creator = null;
  // One key per composition: a retried or double-clicked Post is the same share, never a second post.
  state.idempotencyKey = crypto.randomUUID();
  state.shared = false;
  $('composer').hidden = false;
  $('privacy').replaceChildren();
  render();
  // Fresh creator info every time the composer opens (guideline 1).
  const [creator, quota] = await Promise.all([
    api(`/tiktok/accounts/${encodeURIComponent(accountId)}/creator-info`),
    api(`/tiktok/quota?accountId=${encodeURIComponent(accountId)}`).catch(() => null),
  ]).catch((err) => { flash(problemText(err.problem || {}), true); return [null, null]; });
  if (!creator) return;
  state.creator = creator;
  $('creator-nickname').textContent = creator.nickname;
  $('creator-username').textContent = `@${creator.username}`;
  if (creator.avatarUrl) $('creator-avatar').src = creator.avatarUrl;
  $('cannot-post').hidden = creator.canPost;
  $('cannot-post').textContent = creator.canPost ? '' : `This TikTok account can't post right now${creator.reason ? ` (${creator.reason})` : ''}. Please try again later.`;
  $('composer-body').hidden = !creator.canPost;
  // Privacy: only the creator's options, and no default (guideline 2b).
  $('privacy').replaceChildren(
    el('option', { value: '', textContent: 'Select who can view this video', selected: true, disabled: true }),
    ...creator.privacyLevelOptions.map((p) => el('option', { value: p, textContent: PRIVACY_LABELS[p] ?? p })),
  );
  // Interactions: none checked; those the creator disabled are disabled and greyed (guideline 2c).
  for (const [key, disabled] of [['comment', creator.commentDisabled], ['duet', creator.duetDisabled], ['stitch', creator.stitchDisabled]]) {
    const box = $(`allow-${key}`);
    box.checked = false;
    box.disabled = disabled;
    $(`label-${key}`).classList.toggle('greyed', disabled);
  }
  $('interactions-note').hidden = !(creator.commentDisabled || creator.duetDisabled || creator.stitchDisabled);
  if (quota) showQuota(quota);
  render();
}

function showQuota(quota) {
  $('quota').textContent = `Direct posts left today for this creator: ${quota.daily.remaining} of ${quota.daily.limit}. Drafts waiting in the TikTok inbox: ${quota.drafts.pending} of ${quota.drafts.limit}.`;
}

async function refreshQuota(accountId) {
  const quota = await api(`/tiktok/quota?accountId=${encodeURIComponent(accountId)}`).catch(() => null);
  if (quota && state.accountId === accountId) showQuota(quota);
}

function inputs() {
  return {
    creator: state.creator,
    videoDurationSec: state.video ? state.video.durationSec ?? 0 : null,
    mode: document.querySelector('input[name=mode]:checked').value,
    title: $('title').value,
    privacy: $('privacy').value,
    commercial: $('commercial-toggle').checked,
    yourBrand: $('your-brand').checked,
    branded: $('branded-content').checked,
    busy: state.busy,
    shared: state.shared,
  };
}

function render() {
  const s = inputs();
  const d = decide(s);
  $('title-count').textContent = d.titleCount;
  $('title-count').classList.toggle('over', d.titleOver);
  const dur = $('duration-error');
  const tooLong = state.creator && state.video && (state.video.durationSec ?? 0) > state.creator.maxVideoPostDurationSec;
  dur.hidden = !tooLong;
  dur.textContent = tooLong ? `This video is ${state.video.durationSec} s long; this creator can post videos up to ${state.creator.maxVideoPostDurationSec} s.` : '';
  $('draft-note').hidden = s.mode !== 'draft';
  $('post-settings').classList.toggle('greyed', s.mode === 'draft');
  $('commercial-options').hidden = !s.commercial;
  const onlyMe = [...$('privacy').options].find((o) => o.value === 'SELF_ONLY');
  if (onlyMe) {
    onlyMe.disabled = d.onlyMeDisabled;
    onlyMe.title = d.onlyMeDisabled ? 'Branded content visibility cannot be set to private.' : '';
  }
  const branded = $('branded-content');
  branded.disabled = d.brandedDisabled;
  $('label-branded').classList.toggle('greyed', d.brandedDisabled);
  $('label-branded').title = d.brandedDisabled ? 'Branded content visibility cannot be set to private.' : '';
  $('branded-private-note').hidden = !d.brandedDisabled;
  $('label-prompt').hidden = !d.labelPrompt;
  $('label-prompt').textContent = d.labelPrompt ?? '';
  renderConsent(d.consent);
  $('publish').disabled = !d.publishEnabled;
  // A disabled button gets no hover events in some browsers: the hint sits on its wrapper too.
  $('publish').title = d.publishHint;
  $('publish-wrap').title = d.publishHint;
}

function renderConsent(variant) {
  const link = (href, text) => el('a', { href, target: '_blank', rel: 'noopener', textContent: text });
  $('consent').replaceChildren(...(variant === 'branded'
    ? ["By posting, you agree to TikTok's ", link(BRANDED_URL, 'Branded Content Policy'), ' and ', link(MUSIC_URL, 'Music Usage Confirmation'), '.']
    : ["By posting, you agree to TikTok's ", link(MUSIC_URL, 'Music Usage Confirmation'), '.']));
}

async function publish() {
  const s = inputs();
  const body = shareBody({
    ...s, accountId: state.accountId, videoPath: state.video.path, isAigc: $('is-aigc').checked,
    allowComment: $('allow-comment').checked, allowDuet: $('allow-duet').checked, allowStitch: $('allow-stitch').checked,
  });
  state.busy = true;
  $('composer-error').hidden = true;
  render();
  try {
    const share = await api('/tiktok/shares', {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': state.idempotencyKey }, body: JSON.stringify(body),
    });
    state.shared = true;
    $('progress-section').hidden = false;
    await follow(share.shareId);
    await refreshQuota(state.accountId);
  } catch (err) {
    $('composer-error').textContent = problemText(err.problem || {});
    $('composer-error').hidden = false;
  } finally {
    state.busy = false;
    render();
  }
}

// ---------- progress over SSE (fetch, because EventSource cannot send a bearer header) ----------

function showProgress(view) {
  const pct = view.status === 'published' || view.status === 'in_inbox' ? 100
    : view.videoSize ? Math.floor((view.uploadedBytes / view.videoSize) * 100) : 0;
  $('progress').value = pct;
  const text = { requested: 'Queued', uploading: `Uploading ${pct}%`, processing: 'TikTok is processing the video', in_inbox: 'Sent to your TikTok inbox: open the notification in the TikTok app to finish.', published: 'Posted to TikTok.', failed: `Failed: ${view.failure?.message ?? ''}` };
  $('progress-text').textContent = text[view.status] ?? view.status;
}

async function follow(shareId) {
  const res = await fetch(`/api/v1/tiktok/shares/${encodeURIComponent(shareId)}/events`, { headers: { authorization: `Bearer ${state.token}` } });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let i;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (!data) continue;
      const payload = JSON.parse(data);
      if (event === 'share') showProgress(payload);
      else if (event === 'ChunkUploaded') showProgress({ status: 'uploading', uploadedBytes: payload.data.uploadedBytes, videoSize: payload.data.videoSize });
    }
  }
}

// ---------- boot ----------

function boot() {
  state.token = takeToken();
  const params = new URLSearchParams(location.search);
  if (params.get('tiktok') === 'connected') flash('TikTok account connected.');
  if (params.get('tiktok') === 'error') flash(`Connecting TikTok failed (${params.get('code')}).`, true);
  if (!state.token) { $('signin').hidden = false; return; }
  for (const id of ['accounts-section', 'media-section']) $(id).hidden = false;
  $('connect').onclick = connect;
  $('publish').onclick = publish;
  for (const id of ['title', 'privacy', 'commercial-toggle', 'your-brand', 'branded-content']) $(id).addEventListener('input', render);
  for (const r of document.querySelectorAll('input[name=mode]')) r.addEventListener('change', render);
  render();
  Promise.all([loadAccounts(), loadMedia()]).catch((err) => flash(problemText(err.problem || {}), true));
}

boot();
