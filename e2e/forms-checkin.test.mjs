// Forms keep what was typed, and check-in has no traps (issue 8, items 9 and 14), on a 360 px phone:
// (a) a scheduling clash gives the form back with every typed value and the reason beside the
//     lecturer; (b) a clash in row 3 of a batch booking keeps the header and all six rows, the
//     reason beside row 3; (c) a member with a one-time password taps 登录后签到, is led through
//     the password change and lands back on the check-in, and checks in; (d) the projector shows
//     the code page's address. An error page carries the header, 返回 and 重试.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone, sqliteRows,
} from './harness.mjs';

const STATION_ADMIN = '13900000100'; // 蟹塘社区书记（演示）
const DEMO_MEMBER = '13900000400';
const SESSION_TITLE = '冬训夜校（演示签到）';

let app;
let browser;
let admin; // the secretary's phone, logged in
let page;
let sessionId;

/** A date `days` from today in Shanghai, as an <input type=date> takes it. */
function shanghaiDate(days) {
  const t = new Date(Date.now() + 8 * 3600_000 + days * 86_400_000);
  return t.toISOString().slice(0, 10);
}

/** Taps a form's submit button and waits for the page it answers with. */
async function submit(p, button) {
  await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), button.tap()]);
}

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
  admin = await phoneContext(browser);
  page = await admin.newPage();
  await login(page, app.baseUrl, STATION_ADMIN);
  [{ id: sessionId }] = await sqliteRows(app.dataDir, 'SELECT id FROM training_sessions WHERE title = ?', [SESSION_TITLE]);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('(a) a scheduling clash keeps every typed value, the reason beside the lecturer', async () => {
  const day = shanghaiDate(30);
  await page.goto(`${app.baseUrl}/sessions/new`, { waitUntil: 'load' });
  const lecturer = await page.locator('select[name="lecturer_id"] option').nth(1).getAttribute('value');
  await page.locator('input[name="title"]').fill('先排好的一场');
  await page.locator('select[name="lecturer_id"]').selectOption(lecturer);
  await page.locator('input[name="date"]').fill(day);
  await page.locator('input[name="start"]').fill('09:00');
  await page.locator('input[name="end"]').fill('10:30');
  await submit(page, page.getByRole('button', { name: '安排' }));
  assert.match(new URL(page.url()).pathname, /^\/sessions\/\d+$/, 'the first one is scheduled');

  await page.goto(`${app.baseUrl}/sessions/new`, { waitUntil: 'load' });
  await page.locator('select[name="kind"]').selectOption('field');
  await page.locator('input[name="title"]').fill('草莓大棚里的实境宣讲');
  await page.locator('select[name="lecturer_id"]').selectOption(lecturer);
  await page.locator('input[name="place"]').fill('草莓大棚');
  await page.locator('input[name="date"]').fill(day);
  await page.locator('input[name="start"]').fill('10:00');
  await page.locator('input[name="end"]').fill('11:15');
  await page.locator('input[name="expected"]').fill('18');
  await submit(page, page.getByRole('button', { name: '安排' }));

  const beside = page.locator('[data-field-error="lecturer_id"]');
  assert.match(await beside.innerText(), /宣讲人同一时间已有安排/);
  // Beside the lecturer: right under its select.
  const select = await page.locator('select[name="lecturer_id"]').boundingBox();
  const error = await beside.boundingBox();
  assert.ok(error.y >= select.y + select.height - 1 && error.y - (select.y + select.height) < 40, 'the reason sits under the lecturer');
  assert.equal(await page.locator('select[name="kind"]').inputValue(), 'field');
  assert.equal(await page.locator('input[name="title"]').inputValue(), '草莓大棚里的实境宣讲');
  assert.equal(await page.locator('select[name="lecturer_id"]').inputValue(), lecturer);
  assert.equal(await page.locator('input[name="place"]').inputValue(), '草莓大棚');
  assert.equal(await page.locator('input[name="date"]').inputValue(), day);
  assert.equal(await page.locator('input[name="start"]').inputValue(), '10:00');
  assert.equal(await page.locator('input[name="end"]').inputValue(), '11:15');
  assert.equal(await page.locator('input[name="expected"]').inputValue(), '18');
  await assertFitsPhone(page, 'the refused scheduling form');
  await beside.scrollIntoViewIfNeeded();
  await screenshot(page, 'forms-a-session-clash-phone', { fullPage: false });
  await screenshot(page, 'forms-a-session-clash-phone-full');

  // An end before the start: the same form, the reason beside 结束 — not a bare error page.
  await page.locator('input[name="start"]').fill('11:00');
  await page.locator('input[name="end"]').fill('10:00');
  await submit(page, page.getByRole('button', { name: '安排' }));
  assert.equal(await page.locator('[data-field-error="end"]').innerText(), '结束时间应晚于开始时间');
  assert.equal(await page.locator('input[name="title"]').inputValue(), '草莓大棚里的实境宣讲');
  assert.ok(await page.locator('nav.tabs').isVisible(), 'the app navigation is there');
});

test('(b) a clash in row 3 of a batch booking keeps the header and all six rows', async () => {
  await page.goto(`${app.baseUrl}/bookings/new`, { waitUntil: 'load' });
  const lecturer = await page.locator('select[name="lecturer_id"] option').nth(2).getAttribute('value');
  await page.locator('input[name="title"]').fill('乡村振兴巡回宣讲');
  await page.locator('select[name="lecturer_id"]').selectOption(lecturer);
  await page.locator('input[name="note"]').fill('请各村准备投影');
  const dates = [40, 41, 40, 42, 43, 44].map(shanghaiDate);
  for (const [row, date] of dates.entries()) {
    await page.locator(`input[name="date_${row}"]`).fill(date);
    await page.locator(`input[name="start_${row}"]`).fill('14:00');
    await page.locator(`input[name="end_${row}"]`).fill('15:30');
    await page.locator(`input[name="expected_${row}"]`).fill(String(20 + row));
  }
  const village = await page.locator('select[name="unit_id_3"] option').nth(1).getAttribute('value');
  await page.locator('select[name="unit_id_3"]').selectOption(village);
  await submit(page, page.getByRole('button', { name: '提交预约' }));

  const beside = page.locator('[data-field-error="date_2"]');
  assert.match(await beside.innerText(), /^第3场：宣讲人同一时间已有安排/);
  const row3 = page.locator('fieldset[data-row="3"]');
  assert.equal(await row3.locator('[data-field-error]').count(), 1, 'the reason is inside row 3');
  assert.equal(await page.locator('[data-field-error]').count(), 1, 'and nowhere else');
  assert.equal(await page.locator('input[name="title"]').inputValue(), '乡村振兴巡回宣讲');
  assert.equal(await page.locator('select[name="lecturer_id"]').inputValue(), lecturer);
  assert.equal(await page.locator('input[name="note"]').inputValue(), '请各村准备投影');
  for (const [row, date] of dates.entries()) {
    assert.equal(await page.locator(`input[name="date_${row}"]`).inputValue(), date, `row ${row + 1}'s date`);
    assert.equal(await page.locator(`input[name="start_${row}"]`).inputValue(), '14:00');
    assert.equal(await page.locator(`input[name="expected_${row}"]`).inputValue(), String(20 + row));
  }
  assert.equal(await page.locator('select[name="unit_id_3"]').inputValue(), village, "row 4's village kept");
  await assertFitsPhone(page, 'the refused batch booking');
  await row3.scrollIntoViewIfNeeded();
  await screenshot(page, 'forms-b-batch-row3-phone', { fullPage: false });

  // Row 3 moved a day: the whole batch is stored.
  await page.locator('input[name="date_2"]').fill(shanghaiDate(45));
  await submit(page, page.getByRole('button', { name: '提交预约' }));
  assert.equal(new URL(page.url()).pathname, '/sessions');
  assert.match(await page.locator('.flash').innerText(), /已预约6场宣讲/);
});

test('(c) 登录后签到 with a one-time password: change it, land back on the check-in, check in', async () => {
  // The secretary resets the demo member's password (as when a member forgot it).
  const [{ id: account }] = await sqliteRows(app.dataDir, 'SELECT id FROM users WHERE phone = ?', [DEMO_MEMBER]);
  const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');
  const reset = await page.request.post(`${app.baseUrl}/accounts/${account}/reset-password`, { form: { csrf } });
  const oneTime = /id="one-time-password">([^<]+)</.exec(await reset.text())?.[1];
  assert.ok(oneTime, 'the reset shows a one-time password');

  // The projector's QR, as the member's phone camera opens it.
  await page.goto(`${app.baseUrl}/sessions/${sessionId}/projector`, { waitUntil: 'load' });
  const qrUrl = await page.locator('#projector-code a.qr-url').getAttribute('href');
  const member = await phoneContext(browser);
  try {
    const phone = await member.newPage();
    await phone.goto(qrUrl, { waitUntil: 'load' });
    await screenshot(phone, 'forms-c1-landing-phone');
    await submit(phone, phone.getByRole('link', { name: '登录后签到' }));
    assert.equal(new URL(phone.url()).pathname, '/login');
    await phone.locator('input[name="phone"]').fill(DEMO_MEMBER);
    await phone.locator('input[name="password"]').fill(oneTime);
    await submit(phone, phone.getByRole('button', { name: '登录' }));
    assert.equal(new URL(phone.url()).pathname, '/password', 'the one-time password is changed first');
    assert.match(await phone.locator('.notice').innerText(), /改好后自动回到刚才的页面继续签到/);
    await screenshot(phone, 'forms-c2-password-phone');
    await phone.getByLabel('当前密码').fill(oneTime);
    await phone.getByLabel('新密码', { exact: true }).fill('dongxun2026a');
    await phone.getByLabel('再输一次新密码').fill('dongxun2026a');
    await submit(phone, phone.getByRole('button', { name: '保存新密码' }));
    assert.equal(new URL(phone.url()).pathname, `/checkin/${sessionId}`, 'back on the check-in');
    assert.match(await phone.locator('.flash').innerText(), /密码已修改/);
    const confirm = phone.getByRole('button', { name: '确认签到' });
    assert.ok(await confirm.isVisible(), 'one tap to check in');
    await assertFitsPhone(phone, 'the check-in after the password change');
    await screenshot(phone, 'forms-c3-back-on-checkin-phone');
    await submit(phone, confirm);
    assert.equal((await phone.locator('#checkin-headline').innerText()).trim(), '签到成功');
    await screenshot(phone, 'forms-c4-checked-in-phone');
    // The check-in earned its points: 我的 shows them, with the total.
    await phone.goto(`${app.baseUrl}/me`, { waitUntil: 'load' });
    const card = phone.locator('#my-points');
    assert.match(await card.innerText(), /累计 \d+ 分/);
    assert.match(await card.innerText(), /参加学习 \+5/);
    await assertFitsPhone(phone, 'the points card on 我的');
    await card.scrollIntoViewIfNeeded();
    await screenshot(phone, 'forms-c5-me-points-phone', { fullPage: false });
  } finally {
    await member.close();
  }
  const rows = await sqliteRows(
    app.dataDir,
    'SELECT COUNT(*) AS n FROM attendances a JOIN users u ON u.member_id = a.member_id WHERE u.phone = ? AND a.session_id = ?',
    [DEMO_MEMBER, sessionId],
  );
  assert.equal(rows[0].n, 1, 'the demo member is checked in to the demo session');
});

test('(d) the projector shows the code page\'s address', async () => {
  await page.goto(`${app.baseUrl}/sessions/${sessionId}/projector`, { waitUntil: 'load' });
  const address = page.locator('#code-page-address');
  assert.equal((await address.innerText()).trim(), `${app.baseUrl}/checkin`);
  assert.ok(await address.isVisible());
  await assertFitsPhone(page, 'the projector page');
  await screenshot(page, 'forms-d-projector-phone');
});

test('an error page carries the header, 返回 and 重试', async () => {
  const visitor = await phoneContext(browser);
  try {
    const p = await visitor.newPage();
    await p.goto(`${app.baseUrl}/checkin`, { waitUntil: 'load' });
    // The form's token is gone (a long pause, a cleared cookie): the refusal offers 重试.
    await visitor.clearCookies();
    await p.locator('input[name="code"]').fill('123456');
    await p.getByLabel('姓名').fill('张三');
    await p.getByLabel('手机号码').fill('13800001111');
    await submit(p, p.getByRole('button', { name: '签到', exact: true }));
    assert.match(await p.locator('[data-error-message]').innerText(), /表单已过期/);
    assert.ok(await p.locator('header.topbar').isVisible(), 'the app header');
    const retry = p.locator('[data-retry]');
    assert.equal(await retry.getAttribute('href'), '/checkin');
    await assertFitsPhone(p, 'the error page');
    await screenshot(p, 'forms-e-error-page-phone');
    await submit(p, retry);
    assert.equal((await p.locator('h1').innerText()).trim(), '输入签到码', '重试 opens the form again');
  } finally {
    await visitor.close();
  }
});
