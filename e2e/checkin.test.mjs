// Check-in on the night: the 蟹塘社区 secretary puts the session's QR and six-digit
// code on the projector; a member scans the QR with a phone inside WeChat,
// types name and phone and is checked in (a second scan is told 已签到); another
// types the code instead; the secretary ticks a third on the roll call by
// pinyin initials; the projector's count follows. The printed sign-in sheet is
// a PDF with Chinese in it, and the coverage pages count every check-in.
//
// The demo seeds "冬训夜校（演示签到）" at 蟹塘社区 starting ~10 minutes after the
// app starts, so its check-in window (30 min before the start) is open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  startApp, launchBrowser, phoneContext, desktopContext, screenshot, login,
  assertFitsPhone, smallTargets, sqliteRows, pdfText, pdfFonts, pdfPageToPng,
} from './harness.mjs';

const STATION_ADMIN = '13900000100'; // 蟹塘社区书记（演示）
const STATION = '蟹塘社区';
const SESSION_TITLE = '冬训夜校（演示签到）';

let app;
let browser;
let admin; // the secretary's desktop context, logged in, kept for the whole file
let adminPage;
let station; // { id } of 蟹塘社区
let sessionId;
let projectorUrl;
// Members picked from the demo: { id, name, phone, initials }.
let viaQr;
let viaCode;
let viaRollCall;
// The 蟹塘社区 coverage drill-down before any check-in.
let coverageBefore;
// Which steps ran (the later tests build on the earlier ones).
const done = { qr: false, code: false, rollCall: false };

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
  admin = await desktopContext(browser);
  adminPage = await admin.newPage();
  await login(adminPage, app.baseUrl, STATION_ADMIN);
  [station] = await sqliteRows(app.dataDir, "SELECT id FROM units WHERE name = ? AND kind = 'station'", [STATION]);
  assert.ok(station, `the demo has the station ${STATION}`);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/**
 * Every member card on a coverage drill-down page, by member id:
 * { name, sessions, hours, done, missing }.
 */
async function coverageRows(page, unitId) {
  await page.goto(`${app.baseUrl}/coverage/units/${unitId}`, { waitUntil: 'load' });
  const rows = await page.locator('ul.cov-members li.cov-member').evaluateAll((lis) => lis.map((li) => ({
    id: Number(li.id.replace(/^m/, '')),
    name: li.querySelector('.member-name')?.innerText.trim(),
    progress: li.querySelector('.progress-line')?.innerText.trim() ?? '',
    done: li.classList.contains('done'),
    missing: li.querySelector('.missing')?.innerText.trim() ?? '',
  })));
  const byId = new Map();
  for (const r of rows) {
    const m = /^(\d+)场\s*·\s*([\d.]+)小时/.exec(r.progress);
    assert.ok(m, `a coverage card reads "N场 · H小时 …": ${JSON.stringify(r.progress)}`);
    byId.set(r.id, { ...r, sessions: Number(m[1]), hours: Number(m[2]) });
  }
  const stats = await page.locator('.cov-totals .stat strong').allInnerTexts();
  return { members: byId, audience: Number(stats[0]), covered: Number(stats[1]) };
}

/** The "已签到 N 人" count on the projector. */
async function projectorCount(page) {
  return Number((await page.locator('#projector-count').innerText()).trim());
}

/** Waits (through the projector's own 5-second htmx refresh, no reload) for the count. */
async function waitForProjectorCount(page, expected) {
  await page.waitForFunction(
    (n) => Number(document.querySelector('#projector-count')?.textContent.trim()) === n,
    expected,
    { timeout: 20_000, polling: 250 },
  ).catch(async (err) => {
    throw new Error(`projector count should reach ${expected}, shows ${await projectorCount(page)}: ${err.message}`);
  });
}

/** Fills 姓名 and 手机号码 on a check-in form and taps 签到; returns the result headline. */
async function submitCheckin(page, member) {
  await page.getByLabel('姓名').fill(member.name);
  await page.getByLabel('手机号码').fill(member.phone);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: '签到', exact: true }).tap(),
  ]);
  return (await page.locator('#checkin-headline').innerText()).trim();
}

test('the secretary finds tonight\'s session and opens its projector code', async () => {
  const page = adminPage;
  // Members to check in, picked before anything changes. The drill-down names
  // each member's progress; the one who lacks just one session (and has the
  // compulsory topic) will become covered by tonight's check-in.
  coverageBefore = await coverageRows(page, station.id);
  await screenshot(page, 'checkin-00-coverage-before-desktop', { fullPage: false });
  const members = [...coverageBefore.members.values()];
  assert.ok(members.length > 20, `${STATION} has members on its coverage page`);
  const oneShort = members.filter((m) => !m.done && /^还差1场/.test(m.missing) && !/必修/.test(m.missing));
  assert.ok(oneShort.length >= 1, `some ${STATION} member lacks just one session: ${JSON.stringify(members.slice(0, 5))}`);
  // Real phone numbers and pinyin initials, from the database (the pages mask phones).
  const facts = new Map((await sqliteRows(
    app.dataDir,
    `SELECT m.id, m.name, m.phone, m.name_initials AS initials FROM members m JOIN units u ON u.id = m.unit_id
     WHERE u.path LIKE (SELECT path FROM units WHERE id = ?) || '%' AND m.status = 'active' AND m.phone IS NOT NULL`,
    [station.id],
  )).map((m) => [m.id, m]));
  const pick = (m) => ({ ...facts.get(m.id) });
  viaQr = pick(oneShort[0]);
  viaCode = pick(members.find((m) => m.id !== viaQr.id && !m.done) ?? members.find((m) => m.id !== viaQr.id));
  // Roll call: someone whose initials no one else in the station shares.
  const initialsCount = new Map();
  for (const f of facts.values()) initialsCount.set(f.initials, (initialsCount.get(f.initials) ?? 0) + 1);
  const rc = members.find((m) => ![viaQr.id, viaCode.id].includes(m.id) && facts.has(m.id) &&
    facts.get(m.id).initials.length >= 2 && initialsCount.get(facts.get(m.id).initials) === 1);
  assert.ok(rc, 'a member with unique pinyin initials for the roll-call search');
  viaRollCall = pick(rc);
  for (const m of [viaQr, viaCode, viaRollCall]) {
    assert.match(m.phone, /^1\d{10}$/, `${m.name} has a phone number`);
  }

  // 场次 → this week → tonight's session.
  await page.goto(`${app.baseUrl}/sessions`, { waitUntil: 'load' });
  let link = page.locator('.week a', { hasText: SESSION_TITLE });
  if (await link.count() === 0) {
    // Started just before midnight on a Sunday: the session is next week.
    await page.getByRole('link', { name: '下一周 ›' }).click();
    await page.waitForLoadState('load');
    link = page.locator('.week a', { hasText: SESSION_TITLE });
  }
  assert.equal(await link.count(), 1, `the calendar lists ${SESSION_TITLE} once`);
  assert.match(await link.innerText(), /已签到0人/, 'nobody has checked in yet');
  await screenshot(page, 'checkin-01-calendar-desktop', { fullPage: false });
  await Promise.all([
    page.waitForURL((u) => /^\/sessions\/\d+$/.test(u.pathname)),
    link.click(),
  ]);
  sessionId = Number(new URL(page.url()).pathname.split('/').pop());
  assert.equal((await page.locator('h1').innerText()).trim(), SESSION_TITLE);
  assert.equal((await page.locator('#attended-count').innerText()).trim(), '0人');

  // 大屏签到码.
  await Promise.all([
    page.waitForURL((u) => u.pathname === `/sessions/${sessionId}/projector`),
    page.getByRole('link', { name: '大屏签到码' }).click(),
  ]);
  projectorUrl = page.url();
  const qr = page.locator('#projector-code .qr svg');
  await qr.waitFor();
  const box = await qr.boundingBox();
  assert.ok(box.width >= 200 && Math.abs(box.width - box.height) < 2, `the QR is big and square on the projector: ${JSON.stringify(box)}`);
  assert.ok(await qr.locator('rect, path').count() >= 1, 'the QR svg has modules drawn');
  assert.match((await page.locator('#six-digit-code').innerText()).trim(), /^\d{6}$/, 'a six-digit code is shown');
  assert.match(await page.locator('#projector-code .state').innerText(), /签到进行中/, 'check-in is open');
  assert.equal(await projectorCount(page), 0);
  const url = await page.locator('#projector-code a.qr-url').getAttribute('href');
  assert.ok(url.startsWith(`${app.baseUrl}/checkin/${sessionId}?t=`), `the QR encodes this server's check-in URL: ${url}`);
  assert.match(new URL(url).searchParams.get('t'), /^[0-9a-f]{16}$/, 'with a rotating token');
  await screenshot(page, 'checkin-02-projector-desktop', { fullPage: false });
});

/** The check-in URL the projector's QR encodes right now. */
async function currentQrUrl() {
  return adminPage.locator('#projector-code a.qr-url').getAttribute('href');
}

test('a member scans the projector QR in WeChat, checks in with name and phone; a second scan is told 已签到', async () => {
  assert.ok(sessionId, 'needs the projector from the test above');
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    // What the phone camera opens: the URL inside the QR, not logged in.
    await page.goto(await currentQrUrl(), { waitUntil: 'load' });
    assert.equal((await page.locator('h1').innerText()).trim(), '签到');
    assert.match(await page.locator('.checkin .card').innerText(), new RegExp(`${SESSION_TITLE}[\\s\\S]*${STATION}`), 'the page says which session');
    const button = page.getByRole('button', { name: '签到', exact: true });
    assert.ok((await button.boundingBox()).height >= 48, 'the 签到 button is a big target');
    assert.deepEqual(await smallTargets(page), [], 'every field and button on the check-in page is thumb-sized');
    await assertFitsPhone(page, 'the check-in page');
    await page.getByLabel('姓名').fill(viaQr.name);
    await page.getByLabel('手机号码').fill(viaQr.phone);
    await screenshot(page, 'checkin-03-phone-form');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.tap()]);
    assert.equal((await page.locator('#checkin-headline').innerText()).trim(), '签到成功');
    assert.match(await page.locator('.checkin-result .detail').innerText(), new RegExp(SESSION_TITLE));
    await assertFitsPhone(page, 'the check-in result');
    await screenshot(page, 'checkin-04-phone-success');

    // The projector, refreshing itself every 5 s, counts her.
    await waitForProjectorCount(adminPage, 1);
    done.qr = true;

    // She scans again (a fresh QR from the screen) and submits again: nothing doubles.
    await page.goto(await currentQrUrl(), { waitUntil: 'load' });
    assert.equal(await submitCheckin(page, viaQr), '您已签到，无需重复');
    assert.match(await page.locator('.checkin-result .detail').innerText(), /扫码签到/, 'the page says how she checked in');
    await screenshot(page, 'checkin-05-phone-already');
    // After class she taps 课后评一评 on that page — no account needed: the link carries her ticket.
    assert.match(await page.locator('.after-class').innerText(), /听完课后/, 'feedback is offered for after the lecture');
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/feedback/${sessionId}`),
      page.getByRole('link', { name: '课后评一评' }).tap(),
    ]);
    assert.match(await page.locator('.notice').innerText(), /还没有结束/, 'the form says the lecture is still to come');
    await page.locator('label.star', { hasText: '★★★★★' }).first().tap();
    await page.getByLabel('最有收获的是什么？').fill('讲得通俗，听得懂');
    await page.getByRole('checkbox').first().check();
    await assertFitsPhone(page, 'the feedback form');
    await screenshot(page, 'checkin-05b-phone-feedback');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: '提交' }).tap()]);
    const [stored] = await sqliteRows(app.dataDir, 'SELECT rating, helped FROM feedback WHERE session_id = ? AND member_id = ?', [sessionId, viaQr.id]);
    assert.deepEqual(stored, { rating: 5, helped: '讲得通俗，听得懂' }, 'her feedback is stored under her name');
    // A wrong phone number is refused, naming what to check, and records nothing.
    await page.goto(await currentQrUrl(), { waitUntil: 'load' });
    const wrong = `${viaQr.phone.slice(0, 10)}${(Number(viaQr.phone[10]) + 1) % 10}`;
    await page.getByLabel('姓名').fill(viaQr.name);
    await page.getByLabel('手机号码').fill(wrong);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: '签到', exact: true }).tap(),
    ]);
    // The form comes back as typed, the reason beside the phone, one tap to try again.
    assert.match(await page.locator('#who-error').innerText(), /姓名和手机号/);
    assert.equal(await page.getByLabel('姓名').inputValue(), viaQr.name);
    assert.equal(await page.getByLabel('手机号码').inputValue(), wrong);
    assert.ok(await page.getByRole('button', { name: '重试签到' }).isVisible());
    await screenshot(page, 'checkin-06-phone-not-found');
    // A photo of the QR forwarded long after is refused.
    await page.goto(`${app.baseUrl}/checkin/${sessionId}?t=0123456789abcdef`, { waitUntil: 'load' });
    assert.equal((await page.locator('#checkin-headline').innerText()).trim(), '二维码已过期');

  } finally {
    await context.close();
  }
});

test('a member without a scanner types the six-digit code from the projector', async () => {
  assert.ok(done.qr, 'needs the QR check-in above');
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/checkin`, { waitUntil: 'load' });
    assert.equal((await page.locator('h1').innerText()).trim(), '输入签到码');
    assert.deepEqual(await smallTargets(page), [], 'every field and button on the code page is thumb-sized');
    await assertFitsPhone(page, 'the code page');
    // Read the code off the screen right before typing it (it rotates every 30 s).
    const code = (await adminPage.locator('#six-digit-code').innerText()).trim();
    assert.match(code, /^\d{6}$/);
    await page.getByLabel('大屏上的6位签到码').fill(code);
    await page.getByLabel('姓名').fill(viaCode.name);
    await page.getByLabel('手机号码').fill(viaCode.phone);
    await screenshot(page, 'checkin-07-code-form');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: '签到', exact: true }).tap(),
    ]);
    assert.equal((await page.locator('#checkin-headline').innerText()).trim(), '签到成功');
    assert.match(await page.locator('.checkin-result .detail').innerText(), new RegExp(SESSION_TITLE), 'the code found tonight\'s session');
    await screenshot(page, 'checkin-08-code-success');
    await waitForProjectorCount(adminPage, 2);
    done.code = true;

    // A made-up code is refused in plain words.
    await page.goto(`${app.baseUrl}/checkin`, { waitUntil: 'load' });
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
    await page.getByLabel('大屏上的6位签到码').fill(wrong);
    await page.getByLabel('姓名').fill(viaCode.name);
    await page.getByLabel('手机号码').fill(viaCode.phone);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: '签到', exact: true }).tap(),
    ]);
    // The form comes back as typed, the reason beside the code.
    assert.match(await page.locator('#code-error').innerText(), /签到码不正确或已过期/);
    assert.equal(await page.getByLabel('大屏上的6位签到码').inputValue(), wrong);
    assert.equal(await page.getByLabel('姓名').inputValue(), viaCode.name);
    assert.equal(await page.getByLabel('手机号码').inputValue(), viaCode.phone);
    await screenshot(page, 'checkin-09-code-wrong');
  } finally {
    await context.close();
  }
  await screenshot(adminPage, 'checkin-10-projector-two-desktop', { fullPage: false });
});

test('roll call on a phone: pinyin initials find a member, one tap ticks her without reloading', async () => {
  assert.ok(done.code, 'needs the check-ins above');
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, STATION_ADMIN);
    await page.goto(`${app.baseUrl}/sessions/${sessionId}`, { waitUntil: 'load' });
    await assertFitsPhone(page, 'the session page');
    await screenshot(page, 'checkin-11-session-phone');
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/sessions/${sessionId}/roll-call`),
      page.getByRole('link', { name: '现场点名' }).tap(),
    ]);
    const presentCount = async () => Number((await page.locator('#present-count').innerText()).trim());
    assert.equal(await presentCount(), 2, 'the two members who checked in by phone are counted');
    const audience = Number(/\/\s*(\d+)\s*人/.exec(await page.locator('#roll .meta').first().innerText())[1]);
    assert.equal(audience, coverageBefore.audience, 'the roll call lists the whole station');
    assert.equal(await page.locator(`#roll-${viaQr.id} .tag.ok`).innerText(), '已签到', 'the QR check-in shows on the roll');
    const allRows = await page.locator('#roll li.roll-row').count();
    assert.deepEqual(await smallTargets(page), [], 'the search box and every 签到 button are thumb-sized');
    await assertFitsPhone(page, 'the roll call');
    await screenshot(page, 'checkin-12-roll-call', { fullPage: false });

    // Type the initials like a secretary would: letter by letter, htmx searches as she types.
    await page.evaluate(() => { window.__noReload = true; });
    const searched = page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname === `/sessions/${sessionId}/roll-call` && u.searchParams.get('fragment') === 'true' &&
        u.searchParams.get('q') === viaRollCall.initials;
    });
    await page.getByRole('searchbox', { name: '搜索党员' }).pressSequentially(viaRollCall.initials, { delay: 60 });
    await searched;
    const row = page.locator(`#roll-${viaRollCall.id}`);
    // The swap of the full initials' answer: a short list with her in it.
    await page.waitForFunction(({ n, id }) => document.querySelectorAll('#roll li.roll-row').length < n &&
      document.getElementById(id) !== null, { n: allRows, id: `roll-${viaRollCall.id}` });
    assert.match(await row.innerText(), new RegExp(viaRollCall.name));
    assert.ok(await page.locator('#roll li.roll-row').count() <= 3, `"${viaRollCall.initials}" narrows the list to a few`);
    assert.equal(await row.locator('.tag.ok').count(), 0, 'not yet checked in');
    await screenshot(page, 'checkin-13-roll-call-search');

    const tick = row.getByRole('button', { name: '签到' });
    assert.ok((await tick.boundingBox()).height >= 44, 'the 签到 button on a row is thumb-sized');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/sessions/${sessionId}/roll-call`),
      tick.tap(),
    ]);
    assert.equal(response.status(), 200);
    await page.locator(`#roll-${viaRollCall.id}.present .tag.ok`).waitFor();
    assert.equal((await page.locator(`#roll-${viaRollCall.id} .tag.ok`).innerText()).trim(), '已签到');
    assert.equal(await page.evaluate(() => window.__noReload), true, 'ticking swaps the row in place (htmx), no page load');
    assert.equal(new URL(page.url()).pathname, `/sessions/${sessionId}/roll-call`);
    await screenshot(page, 'checkin-14-roll-call-ticked');

    // The count: clearing the search (htmx again, still no reload) shows three present.
    await page.getByRole('searchbox', { name: '搜索党员' }).fill('');
    await page.waitForFunction((n) => document.querySelectorAll('#roll li.roll-row').length === n, allRows);
    assert.equal(await presentCount(), 3, 'three present after the tick');
    assert.equal(await page.evaluate(() => window.__noReload), true);
    await waitForProjectorCount(adminPage, 3);
    done.rollCall = true;

    // The session page lists each with how they checked in.
    await page.goto(`${app.baseUrl}/sessions/${sessionId}`, { waitUntil: 'load' });
    assert.equal((await page.locator('#attended-count').innerText()).trim(), '3人');
    const list = page.locator('ol.attendance li');
    assert.equal(await list.count(), 3);
    for (const [m, how] of [[viaQr, '扫码签到'], [viaCode, '签到码'], [viaRollCall, '现场点名']]) {
      assert.match(await list.filter({ hasText: m.name }).innerText(), new RegExp(how), `${m.name} checked in by ${how}`);
    }
    await screenshot(page, 'checkin-15-session-attendance');
  } finally {
    await context.close();
  }
});

test('the printable sign-in sheet is a PDF with the session and the members in Chinese', async () => {
  assert.ok(sessionId, 'needs the session');
  const response = await adminPage.request.get(`${app.baseUrl}/sessions/${sessionId}/sheet.pdf`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^application\/pdf/);
  const bytes = await response.body();
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const dir = await mkdtemp(path.join(tmpdir(), 'dongxun-sheet-'));
  try {
    const file = path.join(dir, 'sheet.pdf');
    await writeFile(file, bytes);
    const text = await pdfText(file);
    assert.match(text, /签到表/, 'the title says 签到表');
    assert.match(text, new RegExp(SESSION_TITLE.replace(/[（）]/g, '.')), 'the session title is on the sheet');
    for (const m of [viaQr, viaCode, viaRollCall]) {
      assert.ok(text.includes(m.name), `${m.name} is on the sheet (text extracted: ${text.slice(0, 200)}…)`);
    }
    assert.ok(!/\uFFFD/.test(text), 'no replacement characters: the font covers the Chinese');
    const fonts = await pdfFonts(file);
    assert.ok(fonts.length > 0 && fonts.every((f) => f.embedded), `every font is embedded, so any printer shows the Chinese: ${JSON.stringify(fonts)}`);
    assert.ok(fonts.some((f) => f.encoding === 'Identity-H'), `a CID (CJK) font is used: ${JSON.stringify(fonts)}`);
    await pdfPageToPng(file, 'checkin-16-sign-in-sheet', { dpi: 70 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Not for anyone without the session: a member is refused.
  const anonymous = await browser.newContext();
  try {
    const r = await anonymous.request.get(`${app.baseUrl}/sessions/${sessionId}/sheet.pdf`, { maxRedirects: 0 });
    assert.notEqual(r.status(), 200, 'the sheet needs a login');
  } finally {
    await anonymous.close();
  }
});

test('coverage counts tonight\'s check-ins: one more session each, and the one who lacked one is now covered', async () => {
  assert.ok(done.rollCall, 'needs all three check-ins');
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, STATION_ADMIN);
    const after = await coverageRows(page, station.id);
    for (const m of [viaQr, viaCode, viaRollCall]) {
      const was = coverageBefore.members.get(m.id);
      const now = after.members.get(m.id);
      assert.equal(now.sessions, was.sessions + 1, `${m.name}: ${was.sessions}场 → ${now.sessions}场`);
      assert.ok(Math.abs(now.hours - (was.hours + 1.5)) < 0.11, `${m.name}: ${was.hours} → ${now.hours} 小时 (+1.5)`);
    }
    assert.equal(coverageBefore.members.get(viaQr.id).done, false);
    assert.equal(after.members.get(viaQr.id).done, true, `${viaQr.name} lacked one session and is now covered`);
    const flipped = [...after.members.values()].filter((m) => m.done && !coverageBefore.members.get(m.id).done).length;
    assert.ok(flipped >= 1);
    assert.equal(after.covered, coverageBefore.covered + flipped, '已完成 grows by those who became covered');
    assert.equal(after.audience, coverageBefore.audience);
    await assertFitsPhone(page, 'the coverage drill-down');
    await page.locator(`#m${viaQr.id}`).scrollIntoViewIfNeeded();
    await screenshot(page, 'checkin-17-coverage-member-phone', { fullPage: false });
  } finally {
    await context.close();
  }
});

test('roll call: the 已签到 N / M count goes up with the tick itself, without another search', async () => {
  assert.ok(done.rollCall, 'needs the roll call above');
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, STATION_ADMIN);
    await page.goto(`${app.baseUrl}/sessions/${sessionId}/roll-call`, { waitUntil: 'load' });
    const before = Number((await page.locator('#present-count').innerText()).trim());
    const row = page.locator('#roll li.roll-row:not(.present)').first();
    const id = await row.getAttribute('id');
    await row.getByRole('button', { name: '签到' }).tap();
    await page.locator(`#${id}.present`).waitFor();
    assert.equal(Number((await page.locator('#present-count').innerText()).trim()), before + 1,
      'the count on screen follows the tick');
  } finally {
    await context.close();
  }
});

test('the projector shows the QR, the six-digit code and the count on one 1280×720 screen', async () => {
  assert.ok(sessionId, 'needs the session');
  const context = await desktopContext(browser, { viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, STATION_ADMIN);
    await page.goto(`${app.baseUrl}/sessions/${sessionId}/projector`, { waitUntil: 'load' });
    await screenshot(page, 'checkin-18-projector-1280x720', { fullPage: false });
    for (const selector of ['#projector-code .qr svg', '#six-digit-code', '#projector-count']) {
      const box = await page.locator(selector).boundingBox();
      assert.ok(box.y + box.height <= 720, `${selector} is on screen without scrolling (bottom at ${Math.round(box.y + box.height)} px)`);
    }
  } finally {
    await context.close();
  }
});
