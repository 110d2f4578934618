/** The small HTML consent page of the emulator's authorize endpoint. */
import type { Context } from 'hono';

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Lists the test creators; each button re-requests the page with `creator` + `consent`. */
export function authorizePage(c: Context, creators: readonly string[]): Response {
  const hidden = Object.entries(c.req.query())
    .filter(([k]) => k !== 'creator' && k !== 'consent')
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join('');
  const options = creators.map((id, i) => `<label><input type="radio" name="creator" value="${escape(id)}"${i === 0 ? ' checked' : ''}> ${escape(id)}</label><br>`).join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize app — TikTok emulator</title></head><body>
<h1>TikTok emulator</h1><p>An app wants to access your TikTok account (scopes: ${escape(c.req.query('scope') ?? '')}).</p>
<form method="get" action="">${hidden}<fieldset><legend>Log in as</legend>${options}
<label>or another id <input name="creator_other" placeholder="any id"></label></fieldset>
<button type="submit" name="consent" value="allow">Authorize</button> <button type="submit" name="consent" value="deny">Cancel</button></form>
<script>document.querySelector('form').addEventListener('submit',()=>{const o=document.querySelector('[name=creator_other]');if(o.value){document.querySelectorAll('[name=creator]').forEach(r=>r.checked=false);o.name='creator';}});</script>
</body></html>`;
  return c.html(html);
}

/** TikTok shows its own error page (no redirect) for a bad client or redirect URI. */
export function errorPage(c: Context, message: string): Response {
  return c.html(`<!doctype html><html lang="en"><body><h1>Something went wrong</h1><p>${escape(message)}</p></body></html>`, 400);
}
