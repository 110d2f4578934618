/**
 * The share UI in a real browser (Debian chromium via playwright-core) against the real gateway
 * served over HTTP, with stub services on the in-process bus: checks the Content Sharing
 * Guidelines rules of the composer (tiktok-api.md §6).
 */
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../services/gateway/src/testing/harness.ts';
import { stubAccount } from '../../services/gateway/src/testing/stub-services.ts';

let h: Harness;
let server: ServerType;
let browser: Browser;
let base: string;

beforeAll(async () => {
  h = await startHarness({ mediaRoot: fileURLToPath(new URL('../../media/samples', import.meta.url)) });
  h.state.accounts.set('a1', stubAccount('alice', 'a1'));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => { base = `http://127.0.0.1:${info.port}`; resolve(); });
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server.close(r));
  await h.close();
});

async function openComposer(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/?token=${await h.token('alice')}`);
  await page.getByRole('button', { name: 'Post to this account' }).click();
  await page.locator('#creator-nickname', { hasText: 'Public Creator' }).waitFor();
  await page.locator('input[name=video][value="sample-15s.mp4"]').check();
  return page;
}

describe('share UI composer', () => {
  it('shows the creator, has no privacy default and keeps publish disabled until chosen', async () => {
    const page = await openComposer();
    expect(new URL(page.url()).searchParams.get('token')).toBeNull(); // token moved to sessionStorage
    expect(await page.locator('#creator-username').textContent()).toBe('@public1');
    expect(await page.locator('#privacy').inputValue()).toBe('');
    const options = await page.locator('#privacy option:not([value=""])').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
    expect(await page.locator('#publish').isDisabled()).toBe(true);
    await page.locator('#privacy').selectOption('MUTUAL_FOLLOW_FRIENDS');
    expect(await page.locator('#publish').isDisabled()).toBe(false);
    expect(await page.locator('#quota').textContent()).toContain('12 of 15');
    await page.close();
  });

  it('interactions are unchecked; those the creator disabled are disabled and greyed', async () => {
    const page = await openComposer();
    for (const id of ['allow-comment', 'allow-duet', 'allow-stitch']) expect(await page.locator(`#${id}`).isChecked()).toBe(false);
    expect(await page.locator('#allow-comment').isDisabled()).toBe(false);
    expect(await page.locator('#allow-duet').isDisabled()).toBe(true);
    expect(await page.locator('#allow-stitch').isDisabled()).toBe(true);
    expect(await page.locator('#label-duet').getAttribute('class')).toContain('greyed');
    const color = await page.locator('#label-stitch').evaluate((e) => getComputedStyle(e).color);
    expect(color).toBe('rgb(170, 170, 170)');
    expect(await page.locator('#is-aigc').isChecked()).toBe(true);
    await page.close();
  });

  it('commercial content: nothing selected blocks publish with the hover text; branded content vs Only me; consent variants', async () => {
    const page = await openComposer();
    await page.locator('#privacy').selectOption('PUBLIC_TO_EVERYONE');
    expect(await page.locator('#consent').textContent()).toBe("By posting, you agree to TikTok's Music Usage Confirmation.");
    await page.locator('#commercial-toggle').check();
    expect(await page.locator('#publish').isDisabled()).toBe(true);
    expect(await page.locator('#publish-wrap').getAttribute('title')).toBe('You need to indicate if your content promotes yourself, a third party, or both.');
    await page.locator('#your-brand').check();
    expect(await page.locator('#label-prompt').textContent()).toContain('"Promotional content"');
    expect(await page.locator('#consent').textContent()).toBe("By posting, you agree to TikTok's Music Usage Confirmation.");
    await page.locator('#branded-content').check();
    expect(await page.locator('#label-prompt').textContent()).toContain('"Paid partnership"');
    expect(await page.locator('#consent').textContent()).toBe("By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation.");
    expect(await page.locator('#consent a').count()).toBe(2);
    const onlyMe = page.locator('#privacy option[value=SELF_ONLY]');
    expect(await onlyMe.isDisabled()).toBe(true);
    expect(await onlyMe.getAttribute('title')).toBe('Branded content visibility cannot be set to private.');
    expect(await page.locator('#publish').isDisabled()).toBe(false);
    await page.screenshot({ path: '/tmp/share-ui.png', fullPage: true });

    // The other order: Only me first → Branded content disabled, with the explanation.
    await page.locator('#branded-content').uncheck();
    await page.locator('#privacy').selectOption('SELF_ONLY');
    expect(await page.locator('#branded-content').isDisabled()).toBe(true);
    expect(await page.locator('#branded-private-note').isVisible()).toBe(true);
    await page.close();
  });

  it('draft mode explains itself and publishes without privacy; progress shows the processing note', async () => {
    const page = await openComposer();
    await page.locator('input[name=mode][value=draft]').check();
    expect(await page.locator('#draft-note').textContent()).toContain('Open the notification in the TikTok app');
    expect(await page.locator('#publish').isDisabled()).toBe(false);
    await page.locator('#publish').click();
    await page.locator('#progress-section').waitFor({ state: 'visible' });
    expect(await page.locator('#progress-section').textContent()).toContain('may take a few minutes');
    const create = h.state.calls.find((c) => c.subject === 'tiktok.rpc.publisher.shares.create');
    expect(create?.input).toMatchObject({ userId: 'alice', request: { mode: 'draft', accountId: 'a1', video: { path: 'sample-15s.mp4' } } });
    await page.close();
  });
});
