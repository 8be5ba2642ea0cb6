// The library and the cloud classroom on a member's phone: the demo member opens her home page,
// finds this week's list (本周学习), reads an article to its end — the page beats every ten
// seconds and the server decides when the reading counts — then opens the 党课视频 series and
// plays an episode to its end, which counts for that episode and for the series.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone,
} from './harness.mjs';

const MEMBER = '13900000400';
const ARTICLE = '中国共产党章程·总纲（节选）';

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

test('a member reads an article from this week\'s list and watches an episode at phone width', { timeout: 180_000 }, async () => {
  const phone = await phoneContext(browser);
  try {
    const page = await phone.newPage();
    await login(page, app.baseUrl, MEMBER);
    const list = page.locator('[data-reading-list]');
    await list.waitFor();
    assert.match(await list.innerText(), /本周学习/);
    await list.scrollIntoViewIfNeeded();
    await screenshot(page, 'library-01-home-weekly-list');
    await assertFitsPhone(page, 'the home page with the weekly list');

    // Read the article: scroll to its end and stay until the server says it counts.
    await Promise.all([page.waitForURL(/\/library\/\d+$/), list.getByRole('link', { name: ARTICLE }).click()]);
    const status = page.locator('#read-status');
    await assert.doesNotReject(status.waitFor());
    await page.locator('#article-end').scrollIntoViewIfNeeded();
    await screenshot(page, 'library-02-reading', { fullPage: false });
    await page.waitForFunction(() => document.getElementById('read-status').classList.contains('ok'), null, { timeout: 90_000 });
    assert.match(await status.innerText(), /已计入阅读学习/);
    await screenshot(page, 'library-03-read-counted');
    await assertFitsPhone(page, 'the article');

    // Back home: the article is ticked 已读.
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    assert.match(await page.locator('[data-reading-list]').innerText(), /已读/);

    // The series: play the first episode to its end.
    await page.goto(`${app.baseUrl}/classroom`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/classroom\/series\/\d+$/), page.getByRole('link', { name: '党课视频' }).click()]);
    assert.match(await page.locator('#series-progress').innerText(), /已看完 0\/3 集/);
    await screenshot(page, 'library-04-series');
    await assertFitsPhone(page, 'the series page');
    await Promise.all([page.waitForURL(/\/classroom\/episodes\/\d+$/), page.locator('ol.episodes a').first().click()]);
    const video = page.locator('video#recording');
    await video.waitFor();
    await page.evaluate(() => { const v = document.getElementById('recording'); v.muted = true; return v.play(); });
    await page.waitForFunction(() => document.getElementById('recording').currentTime > 1, null, { timeout: 20_000 });
    await screenshot(page, 'library-05-episode-playing', { fullPage: false });
    await page.waitForFunction(() => document.getElementById('watch-status').classList.contains('ok'), null, { timeout: 60_000 });
    assert.match(await page.locator('#watch-status').innerText(), /计入观看学习/);
    await screenshot(page, 'library-06-episode-counted');
    await assertFitsPhone(page, 'the episode page');

    await page.goto(`${app.baseUrl}/classroom/series/1`, { waitUntil: 'load' });
    assert.match(await page.locator('#series-progress').innerText(), /已看完 1\/3 集（33%）/);

    // Both earned points: 阅读文章 and 观看视频.
    await page.goto(`${app.baseUrl}/points/me`, { waitUntil: 'load' });
    const ledger = await page.locator('main').innerText();
    assert.match(ledger, /阅读文章/);
    assert.match(ledger, /观看视频/);
  } finally {
    await phone.close();
  }
});

test('the library lists articles by category at phone width', async () => {
  const phone = await phoneContext(browser);
  try {
    const page = await phone.newPage();
    await login(page, app.baseUrl, MEMBER);
    await page.goto(`${app.baseUrl}/library`, { waitUntil: 'load' });
    await page.locator('nav.chips').getByRole('link', { name: '农技知识' }).click();
    await page.waitForURL(/category=/);
    const items = await page.locator('ul.library-items').innerText();
    assert.match(items, /大棚蔬菜防寒要点/);
    assert.doesNotMatch(items, /党员的八项义务/);
    await screenshot(page, 'library-07-category');
    await assertFitsPhone(page, 'the library by category');
  } finally {
    await phone.close();
  }
});
