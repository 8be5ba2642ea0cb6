// The committee's secretary uploads a rough question bank (plain text, one question a line, the
// way branches pass them around) from a phone: the preview says what was understood, per type,
// and which line was not and why, and which question the demo bank holds already; nothing is
// stored until she confirms; then the bank lists the new questions, the attribution as the source.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone, sqliteRows } from './harness.mjs';

const COMMITTEE_ADMIN = '13900000001';
const ROUGH = [
  '1. 党员应当按时交纳（A）。A.党费 B.会费 C.学费',
  '2、冬训一般在农闲时节开展。（√）【出题：甲村第一支部】',
  '3. 这一行没有答案',
  '4. 党的根本宗旨是（全心全意为人民服务）。',
  '5. 下列属于“三农”的是（ABC）A.农业 B.农村 C.农民 D.城市',
].join('\n');

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

test('a rough bank is previewed at 360 px, stored only on confirm, then listed', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE_ADMIN);
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    await page.locator('a[href="/questions"]').first().click();
    await page.waitForLoadState('load');
    await page.locator('#import-link').click();
    await page.waitForLoadState('load');

    await page.locator('input[type="file"][name="file"]').setInputFiles({
      name: '支部题库.txt', mimeType: 'text/plain', buffer: Buffer.from(ROUGH, 'utf8'),
    });
    await page.locator('#upload [type="submit"]').click();
    await page.waitForLoadState('load');
    const preview = await page.locator('#preview').innerText();
    assert.match(preview, /识别出\s*3\s*题/);
    for (const kind of ['单选 1 题', '多选 1 题', '判断 1 题', '填空 0 题']) assert.ok(preview.includes(kind), kind);
    // 党的根本宗旨 is in the demo bank already.
    const duplicates = await page.locator('#duplicates').innerText();
    assert.match(duplicates, /第4行[\s\S]*题库中已有/);
    const problems = await page.locator('#not-understood').innerText();
    assert.match(problems, /第3行/);
    assert.match(problems, /没有找到答案/);
    await assertFitsPhone(page, 'the preview');
    await screenshot(page, 'quiz-01-preview.png');
    const [{ n }] = await sqliteRows(app.dataDir, "SELECT COUNT(*) AS n FROM questions WHERE source <> '冬训演示题库'");
    assert.equal(n, 0, 'nothing stored before confirming');

    await page.locator('#confirm [type="submit"]').click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('#import-result').innerText(), /新增 3 题，重复 1 题/);
    await screenshot(page, 'quiz-02-stored.png');

    await page.goto(`${app.baseUrl}/questions`, { waitUntil: 'load' });
    assert.match(await page.locator('#bank-count').innerText(), /共 202 题，第 1\/11 页/);
    await page.locator('#bank-filter input[name="q"]').fill('农闲');
    await page.locator('#bank-filter [type="submit"]').click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('#bank-count').innerText(), /共 1 题/);
    assert.match(await page.locator('main').innerText(), /来源：甲村第一支部/);
    await page.goto(`${app.baseUrl}/questions?category=${encodeURIComponent('防疫')}`, { waitUntil: 'load' });
    assert.match(await page.locator('#bank-count').innerText(), /共 \d+ 题/);
    await assertFitsPhone(page, 'the bank');
    await screenshot(page, 'quiz-03-bank.png', { fullPage: false });
  } finally {
    await context.close();
  }
});
