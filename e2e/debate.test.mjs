// Debates: on the demo's bracket in progress, a judge (宣讲员1) opens the second semi-final on a
// 360 px phone, is told a reason is required, casts a ballot with a reason and a best debater;
// the committee closes the match, and the bracket — on the judge's phone and on a projector —
// shows the winner advanced to the final.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, desktopContext, screenshot, login, assertFitsPhone, sqliteRows,
} from './harness.mjs';

const COMMITTEE = '13900000001';
const JUDGE = '13900000200';

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

test('a judge votes on a phone and the bracket shows the winner advanced', async () => {
  const [semi] = await sqliteRows(app.dataDir,
    'SELECT m.id, m.debate_id, a.name AS affirmative, n.name AS negative FROM debate_matches m ' +
    'JOIN debate_teams a ON a.id = m.affirmative_team_id JOIN debate_teams n ON n.id = m.negative_team_id ' +
    'WHERE m.round = 2 AND m.slot = 2');
  assert.ok(semi, 'the demo has a second semi-final with both teams known');

  const phone = await (await phoneContext(browser)).newPage();
  await login(phone, app.baseUrl, JUDGE);
  await phone.goto(`${app.baseUrl}/debates`, { waitUntil: 'load' });
  await Promise.all([phone.waitForURL(/\/debates\/\d+$/), phone.locator('#debates a', { hasText: '冬训辩论赛' }).click()]);
  await assertFitsPhone(phone, 'the bracket');
  await screenshot(phone, 'debate-bracket-phone');

  await Promise.all([
    phone.waitForURL(new RegExp(`/debates/matches/${semi.id}$`)),
    phone.locator(`a[data-match="${semi.id}"]`).click(),
  ]);
  await Promise.all([phone.waitForURL(/\/ballot$/), phone.locator('#ballot-link').click()]);
  await phone.locator('label.choice', { hasText: `反方（${semi.negative}）` }).click();
  const best = phone.locator('select[name="best_debater"] optgroup').nth(1).locator('option').first();
  await phone.locator('select[name="best_debater"]').selectOption(await best.getAttribute('value'));
  await phone.locator('#ballot-form button[type="submit"]').click();
  await phone.locator('[data-field-error="reason"]', { hasText: '请写明投票理由' }).waitFor();
  assert.equal(await phone.locator('input[name="side"][value="negative"]').isChecked(), true, 'the form keeps the vote');
  await assertFitsPhone(phone, 'the refused ballot');
  await screenshot(phone, 'debate-ballot-refused');

  await phone.locator('textarea[name="reason"]').fill('反方立论扎实，用本村积分制的实例回应了质询，结辩更有说服力。');
  await Promise.all([
    phone.waitForURL(new RegExp(`/debates/matches/${semi.id}$`)),
    phone.locator('#ballot-form button[type="submit"]').click(),
  ]);
  await phone.locator('.flash', { hasText: '评分票已提交' }).waitFor();
  assert.match(await phone.locator('#ballot-count').innerText(), /已有1位评委投票/);
  await screenshot(phone, 'debate-ballot-cast');

  const desk = await (await desktopContext(browser)).newPage();
  await login(desk, app.baseUrl, COMMITTEE);
  await desk.goto(`${app.baseUrl}/debates/matches/${semi.id}`, { waitUntil: 'load' });
  await Promise.all([
    desk.waitForURL(new RegExp(`/debates/matches/${semi.id}$`)),
    desk.locator('#close-form button[type="submit"]').click(),
  ]);
  await desk.locator('.flash', { hasText: '晋级下一轮' }).waitFor();
  assert.equal((await desk.locator('#winner').innerText()).trim(), `反方 ${semi.negative}`);

  await phone.goto(`${app.baseUrl}/debates/${semi.debate_id}`, { waitUntil: 'load' });
  const final = phone.locator('.bracket-round').last();
  await final.locator('.seat', { hasText: semi.negative }).waitFor();
  await assertFitsPhone(phone, 'the bracket after the semi-final');
  await screenshot(phone, 'debate-bracket-advanced');

  // The first semi-final, as its organiser sees it on a phone: the online link and the arrangements.
  const [online] = await sqliteRows(app.dataDir, "SELECT id FROM debate_matches WHERE round = 2 AND slot = 1 AND live_url <> ''");
  const organiser = await (await phoneContext(browser)).newPage();
  await login(organiser, app.baseUrl, COMMITTEE);
  await organiser.goto(`${app.baseUrl}/debates/matches/${online.id}`, { waitUntil: 'load' });
  await organiser.locator('#join-online').waitFor();
  await organiser.locator('#setup input[name="motion"]').waitFor();
  await assertFitsPhone(organiser, 'the organiser\'s match page');
  await screenshot(organiser, 'debate-match-organiser-phone');

  const projector = await (await desktopContext(browser, { viewport: { width: 1280, height: 720 } })).newPage();
  await login(projector, app.baseUrl, COMMITTEE);
  await projector.goto(`${app.baseUrl}/debates/${semi.debate_id}`, { waitUntil: 'load' });
  await projector.locator('.bracket-round').last().locator('.seat', { hasText: semi.negative }).waitFor();
  await screenshot(projector, 'debate-bracket-projector', { fullPage: false });
});
