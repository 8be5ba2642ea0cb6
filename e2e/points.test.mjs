// Points as people see them on a phone: a village secretary records offline study points for a
// member without a smartphone (代录), and the member opens 我的 → 全部积分记录 to see the entry
// and today's points against each daily cap — at 360 px and in large-font mode (大字).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone, sqliteRows } from './harness.mjs';

const COMMITTEE = '13900000001';
const MEMBER = '13900000400';

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

test('staff record offline points; the member sees history and today\'s caps at 360 px and in 大字', async () => {
  const [member] = await sqliteRows(app.dataDir,
    'SELECT m.id, m.name FROM users u JOIN members m ON m.id = u.member_id WHERE u.phone = ?', [MEMBER]);
  assert.ok(member, 'the demo member account is linked to a member');

  const staff = await phoneContext(browser);
  try {
    const page = await staff.newPage();
    await login(page, app.baseUrl, COMMITTEE);
    await page.goto(`${app.baseUrl}/points/members?q=${MEMBER.slice(-4)}`, { waitUntil: 'load' });
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/points/members/${member.id}`),
      page.locator(`#found a[href="/points/members/${member.id}"]`).click(),
    ]);
    await page.locator('#offline summary').click();
    await page.locator('#offline-form input[name="item"]').fill('观看党课录像');
    await page.locator('#offline-form input[name="points"]').fill('3');
    // A refusal first: no reason. The form comes back with what was typed.
    await page.locator('#offline-form input[name="reason"]').evaluate((el) => { el.required = false; });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#offline-form button').click()]);
    assert.match(await page.locator('[data-field-error="reason"]').innerText(), /请填写原因/);
    assert.equal(await page.locator('#offline-form input[name="item"]').inputValue(), '观看党课录像');
    await screenshot(page, 'points-offline-refused.png', { fullPage: false });
    await page.locator('#offline-form input[name="reason"]').fill('无智能手机，村部集中观看');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#offline-form button').click()]);
    assert.match(await page.locator('body').innerText(), /已为.+记线下学习3分/);
    await assertFitsPhone(page, 'a member\'s ledger for staff');
    await screenshot(page, 'points-staff-ledger.png');
  } finally {
    await staff.close();
  }

  const own = await phoneContext(browser);
  try {
    const page = await own.newPage();
    await login(page, app.baseUrl, MEMBER);
    await page.goto(`${app.baseUrl}/me`, { waitUntil: 'load' });
    await page.locator('#my-points').evaluate((el) => el.scrollIntoView());
    await screenshot(page, 'points-me-card.png', { fullPage: false });
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/points/me'),
      page.locator('#my-points-history').click(),
    ]);
    const today = await page.locator('#points-today').innerText();
    assert.match(today, /线下学习（代录）\s*3\s*\/ 10 分/, today);
    assert.match(today, /阅读文章\s*0\s*\/ 6 分/, 'every capped kind, also at 0');
    const ledger = await page.locator('#ledger').innerText();
    assert.match(ledger, /线下学习（代录） \+3/);
    assert.match(ledger, /观看党课录像：无智能手机，村部集中观看/);
    await assertFitsPhone(page, '我的积分');
    await screenshot(page, 'points-mine-phone.png');

    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('header form[action="/preferences/font"] button').click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/points/me');
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('large')));
    await assertFitsPhone(page, '我的积分 in 大字');
    await screenshot(page, 'points-mine-large-font.png');
  } finally {
    await own.close();
  }
});

test('the committee changes a rule from a later day, and imports the offline points template', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE);
    await page.goto(`${app.baseUrl}/points/rules`, { waitUntil: 'load' });
    await assertFitsPhone(page, '积分规则');
    await screenshot(page, 'points-rules.png', { fullPage: false });
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/points/rules/reading'),
      page.locator('li[data-kind="reading"] a').click(),
    ]);
    await page.locator('#rule-form input[name="points"]').fill('2');
    await page.locator('#rule-form input[name="windows"]').fill('06:00-08:30，20:00-22:30');
    await page.locator('#rule-form input[name="window_multiplier"]').fill('2');
    // Tomorrow, typed as the date picker sends it.
    const tomorrow = await page.evaluate(() => {
      const d = new Date(Date.now() + 8 * 3600_000 + 86_400_000);
      return d.toISOString().slice(0, 10);
    });
    await page.locator('#rule-form input[name="effective_from"]').fill(tomorrow);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#rule-form button').click()]);
    const versions = await page.locator('#versions').innerText();
    assert.match(versions, new RegExp(`自 ${tomorrow} 起\\s*待生效`), versions);
    assert.match(versions, /06:00-08:30、20:00-22:30 ×2/);
    assert.match(versions, /生效中/);
    await assertFitsPhone(page, 'a rule\'s versions');
    await screenshot(page, 'points-rule-versions.png');

    const template = await page.request.get(`${app.baseUrl}/points/import/template`);
    assert.equal(template.status(), 200);
    await page.goto(`${app.baseUrl}/points/import`, { waitUntil: 'load' });
    await page.locator('input[type="file"]').setInputFiles({
      name: '线下学习积分.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await template.body()),
    });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('form[enctype] button').click()]);
    // The template's example member 张三 is not in the demo roster: the row is named.
    const errors = await page.locator('#import-errors').innerText();
    assert.match(errors, /第3行/);
    assert.match(errors, /查无此人|姓名与手机号码不符/);
    await assertFitsPhone(page, 'the refused sheet');
    await screenshot(page, 'points-import-refused.png');
  } finally {
    await context.close();
  }
});
