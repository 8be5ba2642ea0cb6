// A member does today's daily quiz on a 360 px phone: from the home page, five questions of the
// demo bank, each graded at once with its 解析 (one answered wrong on purpose, so it lands in the
// mistakes book); the result counts the right ones and 我的积分 shows today's quiz points. Then
// the same quiz in large-font mode (大字): the question and its options still fit the phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone, sqliteRows, smallTargets } from './harness.mjs';

const DEMO_MEMBER = '13900000400';

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

/** The stored question at `position` of round `round`: its kind, answer and options. */
async function itemAt(round, position) {
  const [row] = await sqliteRows(app.dataDir,
    'SELECT q.kind, q.answer FROM practice_items i JOIN questions q ON q.id = i.question_id WHERE i.round_id = ? AND i.position = ?',
    [round, position]);
  return row;
}

/** Answers the question on screen: right, or (when `wrong`) with something no answer is. */
async function answerOnScreen(page, { kind, answer }, wrong) {
  if (kind === 'blank') {
    await page.locator('#answer-form input[name="text"]').fill(wrong ? '不知道' : answer.split('|')[0]);
  } else if (kind === 'judge') {
    const pick = wrong ? (answer === '正确' ? '错误' : '正确') : answer;
    await page.locator(`#answer-form input[value="${pick}"]`).check();
  } else {
    const letters = wrong ? [answer.startsWith('A') ? 'B' : 'A'] : [...answer];
    for (const letter of letters) await page.locator(`#answer-form input[value="${letter}"]`).check();
  }
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#submit-answer').click()]);
}

test('a member does the daily quiz at 360 px, sees each answer graded with its 解析, and earns the points', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, DEMO_MEMBER);
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    await page.locator('#daily-quiz-link').click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('#daily').innerText(), /每天最多 5 分/);
    await assertFitsPhone(page, 'the practice hub');
    await screenshot(page, 'quiz-daily-01-hub.png');

    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#start-daily').click()]);
    const round = Number(new URL(page.url()).pathname.split('/').pop());
    assert.ok(round > 0, page.url());
    for (let position = 1; position <= 5; position++) {
      assert.match(await page.locator('#progress').innerText(), new RegExp(`第 ${position} / 5 题`));
      if (position === 1) {
        await assertFitsPhone(page, 'a question');
        await screenshot(page, 'quiz-daily-02-question.png');
        assert.deepEqual(await smallTargets(page, '.practice-option, #submit-answer'), [], 'options are big enough to tap');
      }
      const wrong = position === 2;
      await answerOnScreen(page, await itemAt(round, position), wrong);
      assert.match(await page.locator('#verdict').innerText(), wrong ? /回答错误/ : /回答正确/);
      assert.match(await page.locator('#explanation').innerText(), /解析/);
      if (position === 2) {
        await assertFitsPhone(page, 'a graded answer');
        await screenshot(page, 'quiz-daily-03-graded-wrong.png');
      }
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#next').click()]);
    }
    assert.match(await page.locator('#result').innerText(), /答对 4 \/ 5 题/);
    await screenshot(page, 'quiz-daily-04-result.png');

    await page.goto(`${app.baseUrl}/points/me`, { waitUntil: 'load' });
    assert.match(await page.locator('main').innerText(), /每日答题/);
    const [{ points }] = await sqliteRows(app.dataDir,
      "SELECT SUM(points) AS points FROM point_entries WHERE kind = 'quiz' AND idempotency_key LIKE ?", [`quiz:${round}:%`]);
    assert.equal(points, 4, 'one point for each right answer');

    await page.goto(`${app.baseUrl}/practice/mistakes`, { waitUntil: 'load' });
    assert.match(await page.locator('#mistakes-rule').innerText(), /答对一次/);
    assert.ok(await page.locator('#mistakes li').count() >= 1);
    await screenshot(page, 'quiz-daily-05-mistakes.png');
  } finally {
    await context.close();
  }
});

test('in large-font mode a question and its options still fit 360 px', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, DEMO_MEMBER);
    await page.goto(`${app.baseUrl}/practice`, { waitUntil: 'load' });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('.font-toggle').click()]);
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('large')), true);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#topic-form button[type="submit"]').click()]);
    assert.match(await page.locator('#progress').innerText(), /第 1 \/ \d+ 题/);
    // On to the first question with options (a blank's page has none to show).
    for (let n = 0; n < 9 && await page.locator('.practice-option').count() === 0; n++) {
      await page.locator('#answer-form input[name="text"]').fill('不知道');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#submit-answer').click()]);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#next').click()]);
    }
    assert.ok(await page.locator('.practice-option').count() >= 2, 'a question with options');
    await page.locator('.practice-option').first().click();
    assert.deepEqual(await smallTargets(page, '.practice-option, #submit-answer'), [], 'options are big enough to tap');
    await assertFitsPhone(page, 'a question in large print');
    await screenshot(page, 'quiz-daily-06-large-font.png');
  } finally {
    await context.close();
  }
});

test('the committee sets a timed exam; a member starts it and the clock counts down at 360 px', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await login(page, app.baseUrl, '13900000001');
    await page.goto(`${app.baseUrl}/`, { waitUntil: 'load' });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('a[href="/practice/exams"]').click()]);
    const form = page.locator('#new-exam form');
    await form.locator('input[name="title"]').fill('党章知识测试');
    await form.locator('select[name="category"]').selectOption('党章');
    await form.locator('input[name="question_count"]').fill('500');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type="submit"]').click()]);
    assert.match(await page.locator('[data-field-error="question_count"]').innerText(), /1到100之间/);
    assert.equal(await form.locator('input[name="title"]').inputValue(), '党章知识测试', 'the form keeps what was typed');
    await assertFitsPhone(page, 'the refused exam form');
    await screenshot(page, 'quiz-exam-01-refused.png');
    await form.locator('input[name="question_count"]').fill('5');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type="submit"]').click()]);
    assert.match(await page.locator('main').innerText(), /还没有人参加/);

    const member = await context.browser().newContext({ viewport: { width: 360, height: 740 } });
    const phone = await member.newPage();
    await login(phone, app.baseUrl, DEMO_MEMBER);
    await phone.goto(`${app.baseUrl}/practice`, { waitUntil: 'load' });
    assert.match(await phone.locator('#open-exams').innerText(), /党章知识测试/);
    await Promise.all([phone.waitForNavigation({ waitUntil: 'load' }), phone.locator('#open-exams button[type="submit"]').click()]);
    const before = await phone.locator('[data-countdown]').innerText();
    await phone.waitForTimeout(1500);
    const after = await phone.locator('[data-countdown]').innerText();
    assert.match(after, /^\d+分\d\d秒$/);
    assert.notEqual(before, after, 'the clock runs');
    await assertFitsPhone(phone, 'an exam question');
    await screenshot(phone, 'quiz-exam-02-question.png');
    await member.close();

    await page.reload({ waitUntil: 'load' });
    assert.match(await page.locator('#attempts').innerText(), /孙国军[\s\S]*答题中/);
    await screenshot(page, 'quiz-exam-03-results.png');
  } finally {
    await context.close();
  }
});
