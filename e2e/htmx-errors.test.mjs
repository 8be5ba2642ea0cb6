// htmx requests that fail: a secretary's login ends while the roll call is open, and a roll-call
// tick is refused. The whole page must go to the login page (and come back after signing in),
// never the login page swapped into a row; a refusal must be shown in Chinese next to the
// button, not swallowed.
//
// The demo seeds "冬训夜校（演示签到）" starting ~10 minutes after the app starts (check-in
// open) and sessions in the coming days (check-in not yet open).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, desktopContext, screenshot, login, sqliteRows, DEMO_PASSWORD } from './harness.mjs';

const COMMITTEE = '13900000001';
const OPEN_SESSION = '冬训夜校（演示签到）';

let app;
let browser;
let openId; // check-in open now
let laterId; // check-in opens in more than a day

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
  [{ id: openId }] = await sqliteRows(app.dataDir, 'SELECT id FROM training_sessions WHERE title = ?', [OPEN_SESSION]);
  const later = await sqliteRows(app.dataDir,
    "SELECT id FROM training_sessions WHERE julianday(starts_at) > julianday('now', '+1 day') ORDER BY starts_at LIMIT 1");
  assert.equal(later.length, 1, 'the demo has a session more than a day ahead');
  laterId = later[0].id;
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Opens the roll call of session `id` as the committee admin, in a fresh context. */
async function rollCall(id) {
  const context = await desktopContext(browser);
  const page = await context.newPage();
  await login(page, app.baseUrl, COMMITTEE);
  await page.goto(`${app.baseUrl}/sessions/${id}/roll-call`, { waitUntil: 'load' });
  await page.locator('#roll li.roll-row').first().waitFor();
  return { context, page };
}

/** Waits for the whole page to land on /login and checks it came back to the roll call. */
async function assertSentToLogin(page, id) {
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 15_000 });
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('next'), `/sessions/${id}/roll-call`, 'login comes back to the roll call');
  assert.equal(await page.locator('form[action="/login"]').count(), 1, 'the login page, as a whole page');
  assert.equal(await page.locator('#roll').count(), 0, 'no roll call left around it (nothing swapped into a row)');
}

test('a login that ended sends the whole page to /login, and back to the roll call after signing in', async () => {
  const { context, page } = await rollCall(openId);
  try {
    // The session cookie is gone (cleared by the browser): the htmx search (GET) is refused.
    await context.clearCookies({ name: 'dx_session' });
    await page.getByRole('searchbox', { name: '搜索党员' }).pressSequentially('z', { delay: 60 });
    await assertSentToLogin(page, openId);

    // Signing in on that page returns to the roll call.
    await page.locator('input[name="phone"]').fill(COMMITTEE);
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/sessions/${openId}/roll-call`, { timeout: 15_000 }),
      page.locator('form[action="/login"] button[type="submit"]').click(),
    ]);

    // Now the session ends on the server while the cookie stays (logged out in another tab,
    // then the old cookie is still in this one): the htmx tick (POST) goes to /login too.
    const [cookie] = await context.cookies().then((all) => all.filter((c) => c.name === 'dx_session'));
    assert.ok(cookie, 'logged in again');
    const other = await context.newPage();
    await other.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    await Promise.all([
      other.waitForURL((u) => u.pathname === '/login'),
      other.getByRole('button', { name: '退出' }).click(),
    ]);
    await other.close();
    await context.addCookies([cookie]);
    const row = page.locator('#roll li.roll-row:not(.present)').first();
    const memberId = Number((await row.getAttribute('id')).replace('roll-', ''));
    await row.getByRole('button', { name: '签到' }).click();
    await assertSentToLogin(page, openId);
    const ticked = await sqliteRows(app.dataDir,
      'SELECT 1 FROM attendances WHERE session_id = ? AND member_id = ?', [openId, memberId]);
    assert.deepEqual(ticked, [], 'the refused tick recorded nothing');
  } finally {
    await context.close();
  }
});

test('a refused tick shows its Chinese message next to the button', async () => {
  const { context, page } = await rollCall(laterId);
  try {
    await page.evaluate(() => { window.__noReload = true; });
    const row = page.locator('#roll li.roll-row').first();
    const area = row.locator('[data-error-area]');
    assert.equal(await area.isVisible(), false, 'no message before anything went wrong');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      row.getByRole('button', { name: '签到' }).click(),
    ]);
    assert.equal(response.status(), 400);
    await area.waitFor({ state: 'visible' });
    assert.equal((await area.innerText()).trim(), '签到还没开始');
    assert.equal(await row.getByRole('button', { name: '签到' }).count(), 1, 'the row stays as it was');
    assert.equal(await page.locator('#page-error').isVisible(), false, 'shown at the form, not the page top');
    assert.equal(new URL(page.url()).pathname, `/sessions/${laterId}/roll-call`);
    assert.equal(await page.evaluate(() => window.__noReload), true, 'no page load');
    await screenshot(page, 'htmx-01-refused-tick', { fullPage: false });
  } finally {
    await context.close();
  }
});
