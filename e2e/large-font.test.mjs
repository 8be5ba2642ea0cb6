// Large-font mode (大字) for elderly users, on a phone inside WeChat: one tap
// enlarges the whole page, it stays on across pages, and one more tap turns
// it off. Also: the main buttons stay big enough to tap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, phoneContext, screenshot, login, horizontalOverflow } from './harness.mjs';

const STATION_ADMIN = '13900000100';
// Smallest comfortable touch target, in CSS px (Apple HIG 44 pt; WCAG 2.5.5 asks 44).
const MIN_TAP_PX = 44;

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

const rootFontPx = (page) =>
  page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
const hasLargeClass = (page) =>
  page.evaluate(() => document.documentElement.classList.contains('large'));

/** The 大字/标准字 switch in the top bar. */
const fontToggle = (page) => page.locator('header form[action="/preferences/font"] button');

/** Buttons and button-like links inside main that are shorter than MIN_TAP_PX. */
async function smallTapTargets(page) {
  return page.evaluate((min) => {
    const small = [];
    for (const el of document.querySelectorAll('main button, main .button, main input[type=submit]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue; // hidden (e.g. inside a closed <details>)
      if (r.height < min - 0.5) small.push(`${el.innerText.trim()} (${Math.round(r.height)}px)`);
    }
    return small;
  }, MIN_TAP_PX);
}

test('大字 enlarges the page, persists across pages, and switches back', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, STATION_ADMIN);
    await page.goto(`${app.baseUrl}/members`, { waitUntil: 'load' });

    assert.equal(await hasLargeClass(page), false, 'standard size to begin with');
    const normalPx = await rootFontPx(page);
    assert.equal((await fontToggle(page).innerText()).trim(), '大字');
    assert.deepEqual(await smallTapTargets(page), [], `buttons on /members should be at least ${MIN_TAP_PX}px tall`);
    await screenshot(page, 'members-phone.png', { fullPage: false });
    await page.locator('#result-count').evaluate((el) => el.scrollIntoView());
    await screenshot(page, 'members-phone-list.png', { fullPage: false });

    // Tap 大字: the page comes back (same place) in large print.
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      fontToggle(page).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/members', 'the switch returns to the same page');
    assert.equal(await hasLargeClass(page), true, '<html> has class "large"');
    const largePx = await rootFontPx(page);
    assert.ok(largePx >= normalPx * 1.2, `large mode should be clearly bigger (${normalPx}px -> ${largePx}px)`);
    assert.equal((await fontToggle(page).innerText()).trim(), '标准字', 'the switch now offers the standard size');
    const nameSize = await page.locator('.member-name').first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(nameSize >= 20, `member names are at least 20px in large mode (got ${nameSize}px)`);
    assert.deepEqual(await horizontalOverflow(page), [], 'large print still fits 360 px without sideways scrolling');
    await screenshot(page, 'members-large-font.png', { fullPage: false });
    // The list itself, one screen further down.
    await page.locator('#result-count').evaluate((el) => el.scrollIntoView());
    await screenshot(page, 'members-large-font-list.png', { fullPage: false });

    // It persists: another page, a member's page, and the home page.
    await Promise.all([
      page.waitForURL((u) => /^\/members\/\d+$/.test(u.pathname)),
      page.locator('ul.members li a').first().click(),
    ]);
    assert.equal(await hasLargeClass(page), true, 'still large on a member page');
    assert.deepEqual(await horizontalOverflow(page), [], 'member page in large print fits 360 px');
    await screenshot(page, 'member-detail-large-font.png');
    await page.goto(`${app.baseUrl}/members/import`, { waitUntil: 'load' });
    assert.equal(await hasLargeClass(page), true, 'still large on the import page');
    assert.deepEqual(await horizontalOverflow(page), [], 'import page in large print fits 360 px');
    await screenshot(page, 'import-large-font.png');
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    assert.equal(await hasLargeClass(page), true, 'still large on the home page');
    await screenshot(page, 'home-large-font.png');

    // And in a new tab of the same browser (the setting is remembered, not per page).
    const again = await context.newPage();
    await again.goto(`${app.baseUrl}/members`, { waitUntil: 'load' });
    assert.equal(await hasLargeClass(again), true, 'remembered in a new tab');
    await again.close();

    // Tap 标准字: back to normal.
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      fontToggle(page).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await hasLargeClass(page), false, 'standard size again');
    assert.equal(await rootFontPx(page), normalPx);
    assert.equal((await fontToggle(page).innerText()).trim(), '大字');
  } finally {
    await context.close();
  }
});

test('大字 works on the login page too, before logging in', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/login`, { waitUntil: 'load' });
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      fontToggle(page).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await hasLargeClass(page), true, 'the login page is in large print');
    assert.deepEqual(await horizontalOverflow(page), [], 'login page in large print fits 360 px');
    await screenshot(page, 'login-large-font.png');
    // Logging in keeps it.
    await login(page, app.baseUrl, STATION_ADMIN);
    assert.equal(await hasLargeClass(page), true, 'still large after logging in');
  } finally {
    await context.close();
  }
});

test('an elderly member reads her own study record in large print on the home page', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, '13900000400'); // the demo's member account
    const study = page.locator('#my-study');
    await study.waitFor();
    assert.match(await study.innerText(), /我的冬训学习[\s\S]*完成条件：至少4场或12小时/);
    assert.match(await study.locator('.my-totals').innerText(), /^\d+场 · [\d.]+小时$/);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), fontToggle(page).click()]);
    assert.equal(await hasLargeClass(page), true);
    assert.deepEqual(await horizontalOverflow(page), [], 'her study record fits 360 px in large print');
    assert.deepEqual(await smallTapTargets(page), [], 'the home page buttons stay big');
    await screenshot(page, 'member-home-large-font', { fullPage: true });
  } finally {
    await context.close();
  }
});
