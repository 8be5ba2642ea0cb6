// Rankings in the browser: a member sees their points and ranks on 我的 and the unit ranking at
// phone width, also in large-font mode; the hall's projector page fits 1280×720.
//
// The demo's points come from elsewhere; this test writes its own ledger entries straight into
// the SQLite file while the server runs (as a second server would), which the server's rank index
// catches up with before answering.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import {
  startApp, launchBrowser, phoneContext, login, screenshot, assertFitsPhone, sqliteRows,
} from './harness.mjs';

const execFileP = promisify(execFile);
const DEMO_MEMBER = '13900000400';
const COMMITTEE = '13900000001';

let app;
let browser;

/** Gives `points` today to each member id, as staff-recorded entries. */
async function give(dataDir, entries) {
  const script = [
    'import json, sqlite3, sys, datetime',
    'db = sqlite3.connect(sys.argv[1])',
    'now = datetime.datetime.now(datetime.timezone.utc)',
    'day = (now + datetime.timedelta(hours=8)).strftime("%Y-%m-%d")',
    'at = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")',
    'for i, (member, points) in enumerate(json.loads(sys.argv[2])):',
    '    db.execute("INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, reason) "',
    '               "VALUES (?, \'offline\', ?, ?, ?, ?, ?, \'e2e\')", (member, points, f"e2e:{i}", f"e2e:{member}:{i}", day, at))',
    'db.commit()',
  ].join('\n');
  await execFileP('python3', ['-c', script, path.join(dataDir, 'dongxun.db'), JSON.stringify(entries)]);
}

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
  const [{ member_id: me }] = await sqliteRows(app.dataDir, 'SELECT member_id FROM users WHERE phone = ?', [DEMO_MEMBER]);
  const others = await sqliteRows(app.dataDir, "SELECT id FROM members WHERE status = 'active' ORDER BY id");
  // Every 7th member earns 1–9 points; the demo member 6 more than the demo gave them.
  const entries = others.filter((_, i) => i % 7 === 0).map((m, i) => [m.id, 1 + (i % 9)]);
  entries.push([me, 6]);
  await give(app.dataDir, entries);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a member sees their points and ranks on 我的 and the unit ranking, at 360 px and in large font', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, DEMO_MEMBER);
    await page.goto(`${app.baseUrl}/me`, { waitUntil: 'load' });
    const card = page.locator('#my-rank');
    const text = await card.innerText();
    // The demo's own points (if any) and the 6 given here.
    const today = /今日\s+(\d+)\s+第\d+名\s+第\d+名/.exec(text);
    assert.ok(today && Number(today[1]) >= 6, text);
    await assertFitsPhone(page, 'my rank on 我的');
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'rankings-me-phone', { fullPage: false });

    // Large font: the same card and the unit ranking still fit.
    await page.locator('button.font-toggle').click();
    await page.waitForLoadState('load');
    await page.goto(`${app.baseUrl}/me`, { waitUntil: 'load' });
    assert.equal(await page.evaluate(() => document.documentElement.className), 'large');
    await assertFitsPhone(page, 'my rank on 我的 in large font');
    await page.locator('#my-rank').scrollIntoViewIfNeeded();
    await screenshot(page, 'rankings-me-phone-large', { fullPage: false });

    await page.goto(`${app.baseUrl}/rankings`, { waitUntil: 'load' });
    const units = page.locator('#unit-ranking tbody tr');
    assert.ok((await units.count()) >= 14, 'every station is ranked');
    assert.equal(await page.locator('#member-ranking').count(), 0, 'no names by default');
    await assertFitsPhone(page, 'the unit ranking in large font');
    await screenshot(page, 'rankings-units-phone-large');
  } finally {
    await context.close();
  }
});

test('the projector page shows today\'s unit ranking within 1280×720', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE);
    await page.goto(`${app.baseUrl}/rankings/screen`, { waitUntil: 'load' });
    const size = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
      rows: document.querySelectorAll('.screen-list li').length,
      refresh: document.querySelector('meta[http-equiv="refresh"]')?.getAttribute('content'),
      nameSize: parseFloat(getComputedStyle(document.querySelector('.screen-name')).fontSize),
    }));
    assert.ok(size.rows >= 14, `every station on the screen: ${size.rows}`);
    assert.ok(size.width <= 1280 && size.height <= 720, `fits 1280×720: ${size.width}×${size.height}`);
    assert.ok(size.nameSize >= 28, 'readable from the back of the hall');
    assert.equal(size.refresh, '60');
    // Nothing is cut off: the last row is inside the screen.
    const last = await page.locator('.screen-list li').last().boundingBox();
    assert.ok(last.y + last.height <= 720 && last.x + last.width <= 1280, JSON.stringify(last));
    await screenshot(page, 'rankings-projector-1280x720', { fullPage: false });
  } finally {
    await context.close();
  }
});

test('the committee sees every member ranked by name at phone width, ties sharing a rank', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, COMMITTEE);
    await page.goto(`${app.baseUrl}/rankings?by=member`, { waitUntil: 'load' });
    const ranks = await page.locator('#member-ranking td.rank').allInnerTexts();
    assert.ok(ranks.length >= 20, `members listed: ${ranks.length}`);
    // Competition ranking: a rank repeats for a tie, and the next one skips.
    for (let i = 1; i < ranks.length; i++) {
      const [previous, rank] = [Number(ranks[i - 1]), Number(ranks[i])];
      assert.ok(rank === previous || rank === i + 1, `row ${i + 1}: ${previous} then ${rank}`);
    }
    assert.ok(ranks.some((r, i) => i > 0 && r === ranks[i - 1]), 'the test data has ties');
    await assertFitsPhone(page, 'the member ranking');
    await screenshot(page, 'rankings-members-phone', { fullPage: false });
  } finally {
    await context.close();
  }
});
