// The live knowledge contest: the committee sets up a 3-question contest, opens the projector
// screen (1280×720) with its QR and six-digit code; two phones join by code with name and phone
// (demo members) and answer over the WebSocket while the host starts, reveals and moves on; one
// phone reloads mid-contest and resumes; the host finishes, and the results page ranks them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, desktopContext, screenshot, login, assertFitsPhone, sqliteRows,
} from './harness.mjs';

const COMMITTEE = '13900000001';

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

async function joinPhone(code, member) {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}/contest?code=${code}`, { waitUntil: 'load' });
  await page.locator('input[name="name"]').fill(member.name);
  await page.locator('input[name="phone"]').fill(member.phone);
  await Promise.all([
    page.waitForURL(/\/contest\/\d+\/play$/),
    page.locator('#join-form button[type="submit"]').click(),
  ]);
  await page.locator('#status', { hasText: '已加入' }).waitFor();
  return page;
}

async function answer(page, n, pick) {
  await page.locator('#q-n', { hasText: String(n) }).waitFor();
  await page.locator('#submit:enabled').waitFor();
  for (const value of pick) await page.locator(`#choices input[value="${value}"]`).check();
  await page.locator('#submit').click();
  await page.locator('#result', { hasText: '答案已提交' }).waitFor();
}

async function control(host, id) {
  await host.locator(`#btn-${id}`).click();
}

test('a host runs a 3-question contest on the projector while two phones answer', async () => {
  const questions = [];
  for (const kind of ['single', 'judge', 'multiple']) {
    const [q] = await sqliteRows(app.dataDir, 'SELECT id, answer FROM questions WHERE kind = ? ORDER BY id LIMIT 1', [kind]);
    questions.push(q);
  }
  const members = await sqliteRows(app.dataDir,
    "SELECT id, name, phone FROM members WHERE phone IS NOT NULL AND status = 'active' ORDER BY id LIMIT 2 OFFSET 40");
  assert.equal(members.length, 2);

  const hostContext = await desktopContext(browser, { viewport: { width: 1280, height: 720 } });
  const host = await hostContext.newPage();
  host.on('dialog', (d) => d.accept());
  await login(host, app.baseUrl, COMMITTEE);
  await host.goto(`${app.baseUrl}/contests`, { waitUntil: 'load' });
  await host.locator('input[name="title"]').fill('冬训知识竞赛（演示现场）');
  await host.locator('input[name="seconds"]').fill('60');
  await host.locator('input[name="question_ids"]').fill(questions.map((q) => q.id).join(','));
  await Promise.all([host.waitForURL(/\/contests\/\d+$/), host.locator('#new-contest button[type="submit"]').click()]);
  const contestId = Number(new URL(host.url()).pathname.split('/').pop());
  const code = (await host.locator('#join-code').innerText()).trim();
  assert.match(code, /^\d{6}$/);
  await host.goto(`${app.baseUrl}/contests/${contestId}/host`, { waitUntil: 'load' });
  assert.equal((await host.locator('#join-code').innerText()).trim(), code);

  const one = await joinPhone(code, members[0]);
  const two = await joinPhone(code, members[1]);
  await host.locator('#players', { hasText: '2' }).waitFor();
  await screenshot(host, 'contest-host-lobby', { fullPage: false });
  await screenshot(one, 'contest-phone-joined');
  await assertFitsPhone(one, 'contest play page');

  // Question 1 (单选): phone one right, phone two wrong.
  await control(host, 'next');
  const right1 = questions[0].answer;
  const wrong1 = right1 === 'A' ? 'B' : 'A';
  await answer(one, 1, [right1]);
  await answer(two, 1, [wrong1]);
  await screenshot(one, 'contest-phone-answered');
  await host.locator('#answered', { hasText: '2' }).waitFor({ timeout: 5000 });
  await screenshot(host, 'contest-host-question', { fullPage: false });
  await control(host, 'reveal');
  await host.locator('#answer', { hasText: `正确答案：${right1}` }).waitFor();
  await one.locator('#status', { hasText: '您答对了' }).waitFor();
  await two.locator('#status', { hasText: '答错了' }).waitFor();
  await screenshot(host, 'contest-host-reveal', { fullPage: false });
  await screenshot(two, 'contest-phone-reveal');
  assert.notEqual((await one.locator('#my-score').innerText()).trim(), '0');

  // Question 2 (判断): phone two reloads after answering and resumes with its answer.
  await control(host, 'next');
  await answer(one, 2, [questions[1].answer]);
  await answer(two, 2, [questions[1].answer]);
  await two.reload({ waitUntil: 'load' });
  await two.locator('#status', { hasText: '已提交' }).waitFor();
  await control(host, 'reveal');
  await two.locator('#status', { hasText: '您答对了' }).waitFor();

  // Question 3 (多选): both right; then the host finishes.
  await control(host, 'next');
  await answer(one, 3, questions[2].answer.split(''));
  await answer(two, 3, questions[2].answer.split(''));
  await control(host, 'reveal');
  await host.locator('#board li').first().waitFor();
  await Promise.all([host.waitForURL(new RegExp(`/contests/${contestId}$`)), control(host, 'finish')]);
  await host.locator('#standings', { hasText: members[0].name }).waitFor();
  await one.locator('#status', { hasText: '竞赛已结束' }).waitFor();
  await screenshot(one, 'contest-phone-finished');
  await screenshot(host, 'contest-results');

  const [count] = await sqliteRows(app.dataDir, 'SELECT COUNT(*) AS n FROM contest_answers WHERE contest_id = ?', [contestId]);
  assert.equal(count.n, 6, 'six answers, each stored once');
  const placed = await sqliteRows(app.dataDir,
    "SELECT member_id, kind FROM point_entries WHERE idempotency_key LIKE ? ORDER BY kind", [`contest:${contestId}:%`]);
  assert.deepEqual(placed.map((p) => p.member_id).sort(), members.map((m) => m.id).sort());
  assert.equal(placed.find((p) => p.member_id === members[0].id).kind, 'contest_first');
});
