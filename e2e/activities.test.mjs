// 冬训+ activities on a phone (issue 12 item 1): 蟹塘社区's station admin records an
// activity (people served as counts), the station's volunteer opens 报志愿时长 from the home
// page, taps the activity and reports 2.5 hours (我参加了); the admin sees the hours waiting,
// approves them, and the volunteer sees 已通过 with 2.5 approved hours. Every page fits 360 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone } from './harness.mjs';

const STATION_ADMIN = '13900000100'; // 蟹塘社区书记（演示）
const VOLUNTEER = '13900000500'; // 蟹塘社区志愿者（演示）
const TITLE = '莲心志愿者义务理发';

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

async function submit(page, form) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: 15_000 }),
    form.locator('button[type="submit"]').first().click(),
  ]);
}

test('a volunteer reports hours on a phone and the station admin approves them', async () => {
  const adminCtx = await phoneContext(browser);
  const admin = await adminCtx.newPage();
  await login(admin, app.baseUrl, STATION_ADMIN);
  await admin.locator('#activities-link').click();
  await admin.waitForURL(/\/activities$/);
  // The demo leaves 蟹塘社区's latest hours waiting.
  assert.match(await admin.locator('#waiting-hours').innerText(), /待审核/);
  await assertFitsPhone(admin, 'the activity list');
  await screenshot(admin, 'activities-list-phone');

  await admin.goto(`${app.baseUrl}/activities/new`, { waitUntil: 'load' });
  const form = admin.locator('form.activity-form');
  await form.locator('input[name="new_kind"]').fill('义务理发');
  await form.locator('input[name="title"]').fill(TITLE);
  await form.locator('input[name="place"]').fill('蟹塘社区党群服务中心');
  await form.locator('input[name="served_elderly"]').fill('18');
  await form.locator('input[name="served_disabled"]').fill('2');
  await assertFitsPhone(admin, 'the activity form');
  await screenshot(admin, 'activities-form-phone');
  await submit(admin, form);
  const activityUrl = admin.url();
  assert.match(activityUrl, /\/activities\/\d+$/);
  assert.match(await admin.locator('.served-counts').innerText(), /老年人\s*18/);

  const volCtx = await phoneContext(browser);
  const vol = await volCtx.newPage();
  await login(vol, app.baseUrl, VOLUNTEER);
  await vol.locator('#volunteer-hours-link').click();
  await vol.waitForURL(/\/activities\/mine$/);
  await assertFitsPhone(vol, '报志愿时长');
  await vol.locator('.open-activities a', { hasText: TITLE }).click();
  await vol.waitForLoadState('load');
  const mine = vol.locator('#my-hours form');
  await mine.locator('input[name="hours"]').fill('2.5');
  await submit(vol, mine);
  assert.match(await vol.locator('#my-hours').innerText(), /已报 2\.5 小时/);
  assert.equal(await vol.locator('#my-hours [data-status]').getAttribute('data-status'), 'reported');
  await assertFitsPhone(vol, 'the activity page after reporting');
  await screenshot(vol, 'activities-reported-phone');

  await admin.goto(activityUrl, { waitUntil: 'load' });
  const row = admin.locator('li.volunteer', { hasText: '蟹塘社区志愿者' });
  assert.match(await row.innerText(), /报 2\.5 小时/);
  await Promise.all([
    admin.waitForNavigation({ waitUntil: 'load', timeout: 15_000 }),
    row.locator('button[value="approve"]').click(),
  ]);
  assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'approved');
  await assertFitsPhone(admin, 'the activity page with its volunteers');
  await screenshot(admin, 'activities-approved-admin-phone');

  // The reports count the new hours; the tables scroll inside their box, the page does not.
  await admin.goto(`${app.baseUrl}/activities/reports?period=campaign`, { waitUntil: 'load' });
  assert.match(await admin.locator('table.people').innerText(), /蟹塘社区志愿者（演示）/);
  await assertFitsPhone(admin, 'the reports page');
  await screenshot(admin, 'activities-reports-phone');

  await vol.goto(`${app.baseUrl}/activities/mine`, { waitUntil: 'load' });
  const report = vol.locator('.my-reports li', { hasText: TITLE });
  assert.match(await report.innerText(), /已通过\s*核定2\.5小时/);
  await screenshot(vol, 'activities-mine-phone');
  await adminCtx.close();
  await volCtx.close();
});
