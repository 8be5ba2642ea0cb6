// Speech contests (演讲比赛) on a phone: the committee sets a contest up with itself as judge,
// opens 初赛, enters the demo member with a video, and scores the entry item by item on a 360 px
// phone — the weighted total shown, then revised — in standard and large print. The demo's
// finished contest shows its results with the tie-break stated and a certificate link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone, pdfText, pdfPageToPng,
} from './harness.mjs';

const COMMITTEE_ADMIN = '13900000001';
const DEMO_MEMBER = '13900000400';

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

const submit = (page, name) =>
  Promise.all([page.waitForLoadState('load'), page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name, exact: typeof name === 'string' }).click()]);

test('a judge scores an entry on a phone, in standard and large print', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE_ADMIN);
    await page.goto(`${app.baseUrl}/speech`, { waitUntil: 'load' });
    await page.getByLabel('比赛名称').fill('冬训主题演讲比赛');
    await page.getByLabel(/^评委/).fill(COMMITTEE_ADMIN);
    await assertFitsPhone(page, 'the speech contests page');
    await screenshot(page, 'speech-01-new');
    await submit(page, '设立比赛');
    assert.match(new URL(page.url()).pathname, /^\/speech\/\d+$/);
    await submit(page, /开始初赛/);

    await page.getByLabel(/参赛党员手机号码/).fill(DEMO_MEMBER);
    await page.getByLabel('演讲题目').fill('把党课讲到田埂上');
    await page.getByLabel('演讲稿').fill('尊敬的各位评委：\n大家好！');
    await page.getByLabel('视频链接').fill('/classroom/episodes/1/video');
    await submit(page, '报名');
    assert.match(new URL(page.url()).pathname, /^\/speech\/entries\/\d+$/);
    assert.equal(await page.locator('video.speech-video').count(), 1, 'the video plays in the page');

    await page.getByLabel('内容（满分40）').fill('38');
    await page.getByLabel('表达（满分30）').fill('27');
    await page.getByLabel('仪态（满分20）').fill('18');
    await page.getByLabel('时间（满分10）').fill('9');
    await submit(page, '提交评分');
    assert.match(await page.locator('.flash').innerText(), /加权总分92分/);
    assert.match(await page.locator('#my-total').innerText(), /92/);
    await assertFitsPhone(page, 'the entry page');
    await screenshot(page, 'speech-02-judge-scored');

    // Revise one mark before the round closes; the form keeps the others.
    await page.getByLabel('内容（满分40）').fill('36');
    await submit(page, '修改评分');
    assert.match(await page.locator('#my-total').innerText(), /90/);

    // Large print: the same form, still fitting the phone.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('header form[action="/preferences/font"] button').click()]);
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('large')));
    await page.locator('#judge').scrollIntoViewIfNeeded();
    await assertFitsPhone(page, 'the entry page in large print');
    await screenshot(page, 'speech-03-judge-large-font');
  } finally {
    await context.close();
  }
});

test('the demo contest shows its results, the stated tie-break and certificates', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, DEMO_MEMBER);
    await page.goto(`${app.baseUrl}/speech`, { waitUntil: 'load' });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('link', { name: /好党员/ }).first().click()]);
    assert.match(await page.locator('#tie-break').innerText(), /得票多者在前/);
    assert.equal(await page.locator('[data-round="决赛"] .placing').count(), 3, 'the final decides the placings');
    assert.equal(await page.locator('[data-round="初赛"] .placing').count(), 0);
    await assertFitsPhone(page, 'the finished contest');
    await screenshot(page, 'speech-04-results');
    // The demo member placed in the final: their certificate reads as a speech contest's.
    const href = await page.locator('[data-round="决赛"] a', { hasText: '奖状' }).getAttribute('href');
    const response = await page.request.get(`${app.baseUrl}${href}`);
    assert.equal(response.status(), 200);
    const dir = await mkdtemp(path.join(tmpdir(), 'dongxun-speech-'));
    try {
      const file = path.join(dir, 'speech.pdf');
      await writeFile(file, await response.body());
      await pdfPageToPng(file, 'speech-05-certificate', { dpi: 70 });
      assert.match((await pdfText(file)).replace(/\s+/g, ''), /演讲比赛.*荣获二等奖/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await context.close();
  }
});
