// A village station secretary imports her branch's roster from a phone inside
// WeChat: the first upload has one bad phone number, so the page names the row
// and column and imports nothing; she fixes the row, uploads again, and the ten
// members appear in the roster with masked phone numbers, which she can unmask
// (audited) on a member's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, desktopContext, screenshot, login, horizontalOverflow,
} from './harness.mjs';
import { buildRosterXlsx, ROSTER_PEOPLE, excelRowOf, idCardFor } from './fixtures/roster.mjs';

const STATION_ADMIN = '13900000100'; // 蟹塘社区
const COMMITTEE_ADMIN = '13900000001';
const BAD_INDEX = 4; // 刘长福, on Excel row 7
const BAD_PHONE = '1380013';
const SEARCHED = ROSTER_PEOPLE[0]; // 张锦贵, found by "zjg"

let app;
let browser;
// Set by the import test, read by the audit test that follows it.
let importDone = false;

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** The "共 N 人" count on a member list page. */
async function resultCount(page) {
  const text = await page.locator('#result-count').innerText();
  const m = /共\s*(\d+)\s*人/.exec(text);
  assert.ok(m, `#result-count should read 共 N 人, got ${JSON.stringify(text)}`);
  return Number(m[1]);
}

function masked(phone) {
  return `${phone.slice(0, 3)}****${phone.slice(7)}`;
}

/** Choose the file and tap 上传并导入; returns the HTTP status of the upload. */
async function upload(page, name, bytes) {
  await page.locator('input[type="file"][name="file"]').setInputFiles({
    name,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: bytes,
  });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/members/import'),
    page.locator('form:has(input[type="file"]) [type="submit"]').click(),
  ]);
  await page.waitForLoadState('load');
  return response.status();
}

async function assertNoSidewaysScroll(page, where) {
  const overflow = await horizontalOverflow(page);
  assert.deepEqual(overflow, [], `${where} should not need sideways scrolling at 360 px`);
}

test('station secretary imports a roster on a phone: bad row named, nothing imported, fixed, imported, phones masked', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();

    // 1. Log in at phone width.
    await page.goto(`${app.baseUrl}/login`, { waitUntil: 'load' });
    await screenshot(page, 'roster-01-login.png');
    await login(page, app.baseUrl, STATION_ADMIN);
    assert.match(await page.locator('header').innerText(), /蟹塘社区/, 'the top bar should show the station');
    await screenshot(page, 'roster-02-home.png');

    // The roster size before any upload.
    await page.goto(`${app.baseUrl}/members`, { waitUntil: 'load' });
    const before = await resultCount(page);
    assert.ok(before > 0, 'the demo station should have members');

    // 2. From the home page, tap 导入花名册.
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/members/import'),
      page.getByRole('link', { name: '导入花名册' }).first().click(),
    ]);
    await assertNoSidewaysScroll(page, '/members/import');
    await screenshot(page, 'roster-03-import-form.png');

    // 3. Upload the roster with one bad phone number.
    const bad = await buildRosterXlsx({ phoneOverrides: { [BAD_INDEX]: BAD_PHONE } });
    const rejectedStatus = await upload(page, '蟹塘社区第一党支部花名册.xlsx', bad);
    assert.equal(rejectedStatus, 422, 'a roster with a bad row is refused with 422');
    const errors = page.locator('#import-errors');
    await errors.waitFor();
    const errorText = await errors.innerText();
    assert.match(errorText, /1处错误/, `the report should count one error: ${errorText}`);
    assert.match(errorText, /未导入任何数据/, 'the report should say nothing was imported');
    const errorRows = errors.locator('tbody tr');
    assert.equal(await errorRows.count(), 1, 'exactly one bad cell is listed');
    const cells = (await errorRows.first().locator('td').allInnerTexts()).map((s) => s.trim());
    assert.equal(cells[0], `第${excelRowOf(BAD_INDEX)}行`, 'the row number is the one Excel shows');
    assert.equal(cells[0], '第7行');
    assert.equal(cells[1], '手机号码', 'the column is named as in the file');
    assert.equal(cells[2], BAD_PHONE, 'the bad value is shown');
    assert.match(cells[3], /11位/, 'the reason says what a phone number should be');
    assert.equal(await page.locator('#import-result').count(), 0, 'no success box on a rejected upload');
    await screenshot(page, 'roster-04-rejected.png');

    // Nothing was imported: not even the good rows.
    await page.goto(`${app.baseUrl}/members`, { waitUntil: 'load' });
    assert.equal(await resultCount(page), before, 'the member count is unchanged after a rejected upload');
    await page.goto(`${app.baseUrl}/members?q=${encodeURIComponent(SEARCHED.name)}`, { waitUntil: 'load' });
    assert.equal(await resultCount(page), 0, `${SEARCHED.name} (a good row) was not imported either`);
    await screenshot(page, 'roster-05-nothing-imported.png');

    // 4. Fix the row and upload again.
    await page.goto(`${app.baseUrl}/members/import`, { waitUntil: 'load' });
    const good = await buildRosterXlsx();
    const acceptedStatus = await upload(page, '蟹塘社区第一党支部花名册.xlsx', good);
    assert.equal(acceptedStatus, 200);
    const result = page.locator('#import-result');
    await result.waitFor();
    const resultText = await result.innerText();
    assert.match(resultText, /导入成功/);
    assert.match(resultText, /新增\s*10\s*人/, `the success box should say 新增 10 人: ${resultText}`);
    assert.match(resultText, /更新\s*0\s*人/);
    assert.equal(await page.locator('#import-errors').count(), 0, 'no error box on success');
    await assertNoSidewaysScroll(page, 'the import result');
    await screenshot(page, 'roster-06-imported.png');

    // Importing the same file again changes nothing.
    assert.equal(await upload(page, '蟹塘社区第一党支部花名册.xlsx', good), 200);
    const againText = await page.locator('#import-result').innerText();
    assert.match(againText, /新增\s*0\s*人/, `a repeated import adds nobody: ${againText}`);
    assert.match(againText, /未变\s*10\s*人/, `a repeated import leaves all ten unchanged: ${againText}`);

    // 5. The roster: ten more members; search by pinyin initials.
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/members'),
      page.locator('nav a[href="/members"]').first().click(),
    ]);
    assert.equal(await resultCount(page), before + 10, 'ten members were added');
    await page.locator('input[name="q"]').fill(SEARCHED.initials);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/members' && u.searchParams.get('q') === SEARCHED.initials),
      page.locator('form[role="search"] [type="submit"]').click(),
    ]);
    const card = page.locator('ul.members li', { hasText: SEARCHED.name });
    assert.equal(await card.count(), 1, `searching "${SEARCHED.initials}" should find ${SEARCHED.name}`);
    const shownPhone = (await card.locator('.phone').innerText()).trim();
    assert.equal(shownPhone, masked(SEARCHED.phone), 'the list shows the phone masked');
    assert.match(shownPhone, /^1\d{2}\*{4}\d{4}$/);
    let html = await page.content();
    for (const p of ROSTER_PEOPLE) {
      assert.ok(!html.includes(p.phone), `the full number ${p.phone} must not be in the list page`);
    }
    await assertNoSidewaysScroll(page, 'the member list');
    await screenshot(page, 'roster-07-search-zjg.png');

    // 6. The member's page: numbers masked until 显示完整号码 is tapped.
    await Promise.all([
      page.waitForURL((u) => /^\/members\/\d+$/.test(u.pathname)),
      card.locator('a').first().click(),
    ]);
    const detailUrl = page.url();
    const idCard = idCardFor(SEARCHED.birth, SEARCHED.gender);
    assert.equal((await page.locator('#numbers .phone').innerText()).trim(), masked(SEARCHED.phone));
    html = await page.content();
    assert.ok(!html.includes(SEARCHED.phone), 'the detail page does not contain the full phone before revealing');
    assert.ok(!html.includes(idCard), 'the detail page does not contain the full ID number before revealing');
    assert.match(await page.locator('main').innerText(), new RegExp(ROSTER_PEOPLE[0].birth));
    await assertNoSidewaysScroll(page, 'the member page');
    await screenshot(page, 'roster-08-member-masked.png');

    // The swap is done by htmx in place: a marker on window survives it.
    await page.evaluate(() => { window.__noReload = true; });
    await page.getByRole('button', { name: '显示完整号码' }).click();
    await page.locator(`#numbers a[href="tel:${SEARCHED.phone}"]`).waitFor();
    assert.equal((await page.locator('#numbers .phone').innerText()).trim(), SEARCHED.phone);
    assert.equal((await page.locator('#numbers .id-card').innerText()).trim(), idCard);
    assert.equal(page.url(), detailUrl, 'revealing does not leave the page');
    assert.equal(await page.evaluate(() => window.__noReload), true, 'revealing swaps in place (htmx), no page load');
    assert.equal(await page.getByRole('button', { name: '显示完整号码' }).count(), 0, 'the button is replaced');
    assert.match(await page.locator('#numbers').innerText(), /审计/, 'the page says the view was audited');
    await screenshot(page, 'roster-09-member-revealed.png');
    importDone = true;
  } finally {
    await context.close();
  }
});

test('the committee sees the rejected and the accepted import and the unmasking in the audit log', async () => {
  assert.ok(importDone, 'needs the import test above to have run first');
  const context = await desktopContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE_ADMIN);
    await page.goto(`${app.baseUrl}/audit`, { waitUntil: 'load' });
    const entries = page.locator('ul.log li');
    const imports = entries.filter({ hasText: '花名册.xlsx' });
    const texts = await imports.allInnerTexts();
    assert.ok(texts.some((t) => /被拒绝：1处错误/.test(t)), `a rejected import is logged: ${texts.join(' | ')}`);
    assert.ok(texts.some((t) => /新增10人/.test(t)), `the accepted import is logged: ${texts.join(' | ')}`);
    const rejected = imports.filter({ hasText: '被拒绝' });
    assert.equal(await rejected.count(), 1, 'one rejected import');
    assert.match(await rejected.innerText(), /失败/, 'the rejected import is marked 失败');
    assert.ok(texts.filter((t) => /新增10人/.test(t)).every((t) => /成功/.test(t)), 'the accepted import is marked 成功');
    const unmask = entries.filter({ hasText: SEARCHED.name });
    assert.ok(await unmask.count() >= 1, `revealing ${SEARCHED.name}'s numbers is logged`);
    assert.match(await unmask.first().innerText(), new RegExp(STATION_ADMIN), 'the log names who revealed them');
    await screenshot(page, 'roster-10-audit-desktop.png');
  } finally {
    await context.close();
  }
});

// A clerk's roster names its unit column 网格, which nothing recognises: the page lists the
// headers, she taps the right one, and the file imports without choosing it again. One member
// joined before turning 18 (an old record): the import goes through, lists the warning, and the
// member carries 数据存疑 until the station checks and clears it. The template downloads.
test('an unrecognised unit column is picked on a phone, a doubtful join date warns and flags', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, STATION_ADMIN);
    await page.goto(`${app.baseUrl}/members/import`, { waitUntil: 'load' });

    // The template is a real .xlsx.
    const template = await page.request.get(`${app.baseUrl}/members/import/template`);
    assert.equal(template.status(), 200);
    assert.match(template.headers()['content-type'], /spreadsheetml/);
    assert.equal((await template.body()).subarray(0, 2).toString(), 'PK');
    assert.ok(await page.locator('#template-link').isVisible(), 'the template link is on the import page');

    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('花名册');
    sheet.addRow(['序号', '姓名', '出生日期', '手机号码', '网格', '入党时间', '备注']);
    sheet.addRow([1, '钱老根', '1949-04-10', '13605170001', '蟹塘社区第一党支部', '1966-08-01', '']);
    sheet.addRow([2, '孙立新', '1970-02-02', '13605170002', '蟹塘社区第一党支部', '1995-07-01', '']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());

    assert.equal(await upload(page, '网格花名册.xlsx', bytes), 422);
    const picker = page.locator('#unit-column-picker');
    await picker.waitFor();
    const offered = (await picker.locator('.choice').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(offered, ['序号', '网格', '备注'], 'the headers not otherwise understood are offered');
    await assertNoSidewaysScroll(page, 'the unit column picker');
    await screenshot(page, 'roster-11-pick-unit-column.png');

    await picker.locator('.choice', { hasText: '网格' }).click();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/members/import'),
      picker.locator('[type="submit"]').click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(response.status(), 200, 'the staged file imports with the picked column');
    assert.match(await page.locator('#import-result').innerText(), /新增\s*2\s*人/);
    const warnings = page.locator('#import-warnings');
    const warningText = await warnings.innerText();
    assert.match(warningText, /1处数据存疑/);
    assert.match(warningText, /第2行/);
    assert.match(warningText, /入党时间早于年满18周岁/);
    await assertNoSidewaysScroll(page, 'the import result with warnings');
    await screenshot(page, 'roster-12-imported-with-warning.png');

    // The flagged member on the list, found by the link in the warning box.
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/members' && u.searchParams.get('doubt') === '1'),
      warnings.getByRole('link', { name: '查看数据存疑的党员' }).click(),
    ]);
    const card = page.locator('ul.members li', { hasText: '钱老根' });
    assert.equal(await card.count(), 1);
    assert.match(await card.innerText(), /数据存疑/);
    assert.equal(await page.locator('ul.members li', { hasText: '孙立新' }).count(), 0, 'a plausible member is not flagged');
    await screenshot(page, 'roster-13-doubtful-list.png');

    // Found by the last four digits of the phone too.
    await page.goto(`${app.baseUrl}/members?q=0001`, { waitUntil: 'load' });
    assert.equal(await page.locator('ul.members li', { hasText: '钱老根' }).count(), 1, 'found by the phone tail');

    await Promise.all([
      page.waitForURL((u) => /^\/members\/\d+$/.test(u.pathname)),
      page.locator('ul.members li', { hasText: '钱老根' }).locator('a').first().click(),
    ]);
    const doubt = page.locator('#doubt');
    assert.match(await doubt.innerText(), /入党时间早于年满18周岁/);
    await assertNoSidewaysScroll(page, 'the flagged member page');
    await screenshot(page, 'roster-14-member-doubt.png');
    await Promise.all([
      page.waitForURL((u) => /^\/members\/\d+$/.test(u.pathname)),
      doubt.getByRole('button', { name: '核实无误，清除标记' }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(await page.locator('#doubt').count(), 0, 'the flag is gone');
    assert.match(await page.locator('body').innerText(), /已核实/);
    await screenshot(page, 'roster-15-doubt-cleared.png');
  } finally {
    await context.close();
  }
});
