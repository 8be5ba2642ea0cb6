// 冬训专栏: a visitor without an account reads the column on a phone (list, a category, the
// founding document with its share tags); a station admin writes an article with a picture and
// submits it, the committee publishes it, and the visitor reads it with its picture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone, tinyPng,
} from './harness.mjs';

const COMMITTEE_ADMIN = '13900000001';
const STATION_ADMIN = '13900000100';
const TITLE = '蟹塘社区冬训夜校开课';

let app;
let browser;

/** Taps a button whose form posts and comes back to the same page; waits for the page again. */
async function tapAndReturn(page, name) {
  const here = page.url();
  await Promise.all([
    page.waitForResponse((r) => r.url() === here && r.request().method() === 'GET'),
    page.getByRole('button', { name }).tap(),
  ]);
  await page.waitForLoadState('load');
}

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a visitor without an account reads the column at phone width', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/column`, { waitUntil: 'load' });
    assert.equal(await page.locator('.column-card').count(), 12);
    assert.equal(await page.locator('form[action="/logout"]').count(), 0, 'nobody is logged in');
    await assertFitsPhone(page, '/column');
    await screenshot(page, 'column-01-list');
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('category') === '宣讲活动'),
      page.locator('.column-categories a', { hasText: '宣讲活动' }).tap(),
    ]);
    assert.equal(await page.locator('.column-card').count(), 2);
    await page.goto(`${app.baseUrl}/column`, { waitUntil: 'load' });
    await Promise.all([
      page.waitForURL(/\/column\/\d+$/),
      page.locator('.column-card', { hasText: '冬训进补正当时' }).locator('a').tap(),
    ]);
    assert.equal(await page.locator('h1').innerText(), '南京溧水石湫街道：冬训进补正当时，凝聚发展新...');
    const ogTitle = await page.locator('meta[property="og:title"]').getAttribute('content');
    assert.equal(ogTitle, '南京溧水石湫街道：冬训进补正当时，凝聚发展新...');
    assert.match(await page.locator('meta[property="og:image"]').getAttribute('content'), /^http:\/\/img10\.banyuetan\.org\//);
    assert.match(await page.locator('meta[property="og:url"]').getAttribute('content'), /^http:\/\/127\.0\.0\.1:\d+\/column\/\d+$/);
    assert.equal(await page.locator('.column-body img').count(), 3, 'the body keeps its three pictures');
    await assertFitsPhone(page, 'the founding article');
    await screenshot(page, 'column-02-founding-article');
  } finally {
    await context.close();
  }
});

test('a station admin writes, the committee publishes, a visitor reads it with its picture', async () => {
  const writer = await phoneContext(browser);
  const reviewer = await phoneContext(browser);
  const visitor = await phoneContext(browser);
  try {
    const page = await writer.newPage();
    await login(page, app.baseUrl, STATION_ADMIN);
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(/\/column\/admin$/), page.getByRole('link', { name: '冬训专栏' }).tap()]);
    await Promise.all([page.waitForURL(/\/column\/admin\/new$/), page.getByRole('link', { name: '写文章' }).tap()]);
    await page.getByLabel('标题').fill(TITLE);
    await page.getByLabel('分类（多个用逗号分开）').fill('工作动态');
    await page.getByLabel('正文（分段空一行；也可粘贴网页内容）').fill('夜校第一课由社区书记主讲。\n\n三十多名党员参加学习。');
    await page.locator('input[type="file"][name="image"]').setInputFiles({
      name: '夜校.png', mimeType: 'image/png', buffer: tinyPng(320, 200),
    });
    await screenshot(page, 'column-03-write');
    await Promise.all([page.waitForURL(/\/column\/admin\/\d+$/), page.getByRole('button', { name: '保存草稿' }).tap()]);
    const articleUrl = page.url();
    assert.equal(await page.locator('#article-status').innerText(), '草稿');
    await tapAndReturn(page, '提交审核');
    assert.equal(await page.locator('#article-status').innerText(), '待审核');
    assert.equal(await page.getByRole('button', { name: '审核发布' }).count(), 0, 'a station admin does not publish');
    await assertFitsPhone(page, 'the article in review');

    const review = await reviewer.newPage();
    await login(review, app.baseUrl, COMMITTEE_ADMIN);
    await review.goto(`${app.baseUrl}/column/admin`, { waitUntil: 'load' });
    await Promise.all([review.waitForURL(articleUrl), review.locator('.card', { hasText: TITLE }).locator('a').tap()]);
    await tapAndReturn(review, '审核发布');
    assert.equal(await review.locator('#article-status').innerText(), '已发布');
    await review.getByLabel('转载媒体').fill('微溧水');
    await review.getByLabel('链接').fill('https://example.com/weilishui/1');
    await tapAndReturn(review, '登记转载');
    assert.match(await review.locator('#syndications').innerText(), /微溧水/);
    await screenshot(review, 'column-04-published');

    const reader = await visitor.newPage();
    await reader.goto(`${app.baseUrl}/column`, { waitUntil: 'load' });
    assert.match(await reader.locator('.column-card').first().innerText(), new RegExp(TITLE), 'newest first');
    await Promise.all([reader.waitForURL(/\/column\/\d+$/), reader.locator('.column-card').first().locator('a').tap()]);
    assert.equal(await reader.locator('h1').innerText(), TITLE);
    const img = reader.locator('.column-body img');
    assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth === 320), 'the picture loads');
    await assertFitsPhone(reader, 'the new article');
    await screenshot(reader, 'column-05-read');
  } finally {
    await writer.close();
    await reviewer.close();
    await visitor.close();
  }
});
