// Monthly awards (每月评优) on a phone: the demo has last month published; the committee opens
// the month before, adds the demo member by hand with a reason, publishes, and downloads the
// certificate (奖状), read back with pdftotext and rendered to a PNG. The member then finds the
// award, and their certificate, on 我的.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone, sqliteRows, pdfText, pdfPageToPng,
} from './harness.mjs';

const COMMITTEE_ADMIN = '13900000001';
const DEMO_MEMBER = '13900000400';
const REASON = '带头参加线下学习，帮助老党员用手机学习';

let app;
let browser;
let member; // { id, name }
let monthLabel = '';
let certificateUrl = '';

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
  [member] = await sqliteRows(app.dataDir,
    'SELECT m.id, m.name FROM users us JOIN members m ON m.id = us.member_id WHERE us.phone = ?', [DEMO_MEMBER]);
  assert.ok(member, 'the demo member has an account');
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Reads a PDF response's text (pdftotext -layout, whitespace removed) and renders page 1 to NAME.png. */
async function readPdf(response, name) {
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^application\/pdf/);
  const dir = await mkdtemp(path.join(tmpdir(), 'dongxun-award-'));
  try {
    const file = path.join(dir, 'award.pdf');
    await writeFile(file, await response.body());
    await pdfPageToPng(file, name, { dpi: 70 });
    return (await pdfText(file)).replace(/\s+/g, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the committee opens a month, adds a member with a reason, publishes and downloads the certificate', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE_ADMIN);
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL((u) => u.pathname === '/awards'), page.getByRole('link', { name: '每月评优' }).click()]);
    assert.match(await page.locator('#award-rounds').innerText(), /已发布/, 'the demo published last month');
    assert.match(await page.locator('#volunteer-note').innerText(), /志愿服务功能尚未上线/);
    await assertFitsPhone(page, 'the awards page');
    await screenshot(page, 'awards-01-index');

    const month = page.getByLabel('月份（须已结束）');
    monthLabel = (await month.locator('option').first().innerText()).trim();
    await Promise.all([
      page.waitForURL((u) => /^\/awards\/\d+$/.test(u.pathname)),
      page.getByRole('button', { name: '按条件生成推荐名单' }).click(),
    ]);
    assert.match(await page.locator('#round-status').innerText(), /待发布/);

    // A reason is required: the form comes back with the member as typed.
    await page.getByLabel('党员姓名或手机号').fill(DEMO_MEMBER);
    await page.getByLabel('评选理由').fill(REASON);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '加入名单' }).click()]);
    const listed = page.locator('li.awardee', { hasText: member.name });
    assert.match(await listed.innerText(), new RegExp(REASON));
    await assertFitsPhone(page, 'a draft month');
    await screenshot(page, 'awards-02-draft');

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: /^发布/ }).click()]);
    assert.match(await page.locator('.flash').innerText(), /已发布：\d+人获评/);
    assert.match(await page.locator('#round-status').innerText(), /已发布/);
    assert.equal(await page.locator('#add-awardee').count(), 0, 'no more edits after publishing');
    await assertFitsPhone(page, 'a published month');
    await screenshot(page, 'awards-03-published');

    const link = page.locator('li.awardee', { hasText: member.name }).getByRole('link', { name: '奖状' });
    certificateUrl = new URL(await link.getAttribute('href'), app.baseUrl).href;
    const text = await readPdf(await page.request.get(certificateUrl), 'awards-04-certificate');
    for (const part of ['奖', '状', member.name, '同志', monthLabel, REASON, '党工委']) {
      assert.ok(text.includes(part.replace(/\s+/g, '')), `${part} on the certificate: ${text}`);
    }
    assert.ok(!/\uFFFD/.test(text), 'the font covers the Chinese');
  } finally {
    await context.close();
  }
});

test('the awardee finds the award on 我的 and downloads their own certificate', async () => {
  assert.ok(certificateUrl, 'needs the published award');
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, DEMO_MEMBER);
    await page.goto(`${app.baseUrl}/me`, { waitUntil: 'load' });
    const awards = page.locator('#my-awards');
    assert.match(await awards.innerText(), new RegExp(`${monthLabel}月度学习之星`));
    assert.match(await page.locator('#my-points').innerText(), /月度评优/, 'the points history has the award');
    await assertFitsPhone(page, '我的 with awards');
    await screenshot(page, 'awards-05-me');
    const href = await awards.getByRole('link', { name: '下载奖状' }).first().getAttribute('href');
    const own = await page.request.get(new URL(href, app.baseUrl).href);
    assert.equal(own.status(), 200);
    assert.match(own.headers()['content-type'], /^application\/pdf/);
  } finally {
    await context.close();
  }
});
