// The committee admin (街道管理员) on a desktop browser (1280 px): the member
// roster of the whole sub-district, the organisation tree, accounts and the
// audit log all render, with phone numbers masked where they should be.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, desktopContext, screenshot, login } from './harness.mjs';

const COMMITTEE_ADMIN = '13900000001';

let app;
let browser;
let context;
let page;

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
  context = await desktopContext(browser);
  page = await context.newPage();
  await login(page, app.baseUrl, COMMITTEE_ADMIN);
});

after(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
});

/** Opens a page through the tab bar, as a person would. */
async function openTab(label, pathname) {
  await Promise.all([
    page.waitForURL((u) => u.pathname === pathname),
    page.locator('nav.tabs a', { hasText: label }).first().click(),
  ]);
  await page.waitForLoadState('load');
  const active = page.locator('nav.tabs a[aria-current="page"]');
  assert.equal((await active.innerText()).trim(), label, `the ${label} tab is marked current`);
}

/** Opens a page that is not a tab through the home page's 管理 grid. */
async function openFromHome(label, pathname) {
  await openTab('首页', '/');
  await Promise.all([
    page.waitForURL((u) => u.pathname === pathname),
    page.locator('nav.grid-links a', { hasText: label }).first().click(),
  ]);
  await page.waitForLoadState('load');
}

test('members: the whole sub-district, paged, phones masked', async () => {
  await openTab('党员', '/members');
  const count = await page.locator('#result-count').innerText();
  const total = Number(/共\s*(\d+)\s*人/.exec(count)?.[1]);
  assert.ok(total >= 1400 && total <= 1700, `about 1500 demo members, got ${count}`);
  const cards = page.locator('ul.members li');
  assert.equal(await cards.count(), 50, 'fifty to a page');
  assert.match(await page.locator('.pager').innerText(), /第 1 \/ \d+ 页/);
  const phones = await page.locator('ul.members .phone').allInnerTexts();
  assert.ok(phones.length > 0);
  for (const p of phones) assert.match(p.trim(), /^1\d{2}\*{4}\d{4}$/, `masked phone, got ${p}`);
  // The unit filter offers every station.
  const units = await page.locator('select[name="unit"] option').allInnerTexts();
  assert.ok(units.some((u) => u.includes('蟹塘社区')), 'the unit filter lists 蟹塘社区');
  await screenshot(page, 'desktop-members.png', { fullPage: false });
});

test('org: the sub-district with its 14 village stations', async () => {
  await openFromHome('组织架构', '/org');
  const items = page.locator('ul.tree li');
  const text = await page.locator('ul.tree').innerText();
  assert.match(text, /石湫街道/);
  assert.equal(await items.filter({ hasText: '实践站（村社）' }).count(), 14, 'fourteen stations');
  for (const name of ['蟹塘社区', '九塘村', '横山村', '蟹塘社区第一党支部']) {
    assert.ok(text.includes(name), `the tree lists ${name}`);
  }
  await screenshot(page, 'desktop-org.png');
});

test('accounts: every role, phones masked', async () => {
  await openFromHome('账号', '/accounts');
  const text = await page.locator('main').innerText();
  for (const role of ['街道管理员', '村社管理员', '宣讲员', '志愿者', '党员']) {
    assert.ok(text.includes(role), `an account with role ${role} is listed`);
  }
  assert.ok(!text.includes('13900000100'), 'account phones are masked in the list');
  assert.match(text, /139\*{4}0100/);
  await screenshot(page, 'desktop-accounts.png');
});

test('audit: the admin\'s own login is logged', async () => {
  await openFromHome('审计日志', '/audit');
  const first = page.locator('ul.log li').first();
  const text = await first.innerText();
  assert.match(text, /登录/);
  assert.match(text, new RegExp(COMMITTEE_ADMIN));
  assert.match(text, /登录成功/);
  await screenshot(page, 'desktop-audit.png', { fullPage: false });
});
