// Village brands: a visitor without an account reads the brand index and 蟹塘社区's brand page at
// phone width (and in large print) — the two brands, their photos, the numbers, no sideways
// scrolling; the committee reads the villages' comparison on a 1280 px desktop and sorts it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, desktopContext, screenshot, login, assertFitsPhone,
} from './harness.mjs';

const COMMITTEE_ADMIN = '13900000001';

let app;
let browser;

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Whether every image on the page has loaded with a real size. */
async function imagesLoaded(page, selector) {
  return page.$$eval(selector, (imgs) => imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0));
}

test('a visitor without an account reads a village brand page at phone width, large print too', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/brands`, { waitUntil: 'load' });
    assert.equal(await page.locator('form[action="/logout"]').count(), 0, 'nobody is logged in');
    assert.equal(await page.locator('.brand-card').count(), 15, 'the hub and fourteen stations');
    assert.ok(await imagesLoaded(page, '.brand-card img'));
    await assertFitsPhone(page, '/brands');
    await screenshot(page, 'brands-01-index', { fullPage: false });

    await Promise.all([
      page.waitForURL(/\/brands\/\d+$/),
      page.locator('.brand-card', { hasText: '蟹塘社区' }).locator('a').tap(),
    ]);
    assert.equal(await page.locator('h1').innerText(), '蟹塘社区');
    assert.equal(await page.locator('#service-brand h2').innerText(), '“莲心”服务');
    assert.equal(await page.locator('#training-brand h2').innerText(), '“莲说”宣讲');
    assert.ok(await imagesLoaded(page, '.brand-photos img'), 'the brand photos show');
    assert.match(await page.locator('meta[property="og:image"]').getAttribute('content'),
      /^http:\/\/127\.0\.0\.1:\d+\/brands\/photos\/\d+\.jpg$/);
    assert.equal(await page.locator('meta[property="og:title"]').getAttribute('content'), '蟹塘社区 · 村社品牌');
    assert.match(await page.locator('#fig-sessions').innerText(), /^\d+$/);
    assert.match(await page.locator('#fig-coverage').innerText(), /^(\d+(\.\d)?%|—)$/);
    assert.ok(await page.locator('#articles li').count() >= 1, 'its column articles are listed');
    assert.equal(await page.getByText('编辑品牌').count(), 0, 'a visitor edits nothing');
    await assertFitsPhone(page, 'the brand page');
    await screenshot(page, 'brands-02-page');

    await Promise.all([page.waitForLoadState('load'), page.locator('.font-toggle').tap()]);
    await page.waitForFunction(() => document.documentElement.classList.contains('large'));
    await assertFitsPhone(page, 'the brand page in large print');
    await screenshot(page, 'brands-03-page-large');
  } finally {
    await context.close();
  }
});

test('the committee compares the villages on a desktop and sorts by a column', async () => {
  const context = await desktopContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE_ADMIN);
    await page.goto(`${app.baseUrl}/brands/compare`, { waitUntil: 'load' });
    assert.equal(await page.locator('#compare tbody tr').count(), 14, 'the fourteen stations');
    assert.equal(await page.locator('#compare thead th').count(), 8);
    const tableWidth = await page.locator('#compare').evaluate((t) => t.getBoundingClientRect().width);
    assert.ok(tableWidth <= 1280, `the table fits a desktop (${tableWidth}px)`);
    await screenshot(page, 'brands-04-compare-desktop');

    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('sort') === 'points'),
      page.locator('#compare thead a', { hasText: '人均积分' }).click(),
    ]);
    const values = await page.$$eval('#compare tbody tr td:nth-child(8)',
      (tds) => tds.map((td) => parseFloat(td.textContent)));
    const sorted = [...values].sort((a, b) => b - a);
    assert.deepEqual(values, sorted, 'largest points per member first');
    assert.match(await page.locator('#compare thead a', { hasText: '人均积分' }).innerText(), /▼/);
    await screenshot(page, 'brands-05-compare-sorted');
  } finally {
    await context.close();
  }
});

test('the comparison scrolls inside its frame at phone width', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE_ADMIN);
    await page.goto(`${app.baseUrl}/brands/compare`, { waitUntil: 'load' });
    await assertFitsPhone(page, 'the comparison');
    const scrolls = await page.locator('.table-scroll').evaluate((d) => d.scrollWidth > d.clientWidth);
    assert.ok(scrolls, 'the table scrolls sideways inside its frame');
    await screenshot(page, 'brands-06-compare-phone', { fullPage: false });
  } finally {
    await context.close();
  }
});
