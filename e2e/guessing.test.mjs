// Guessing is bounded where a person meets it: a phone that keeps typing six-digit codes (or
// names and phones) at the check-in page is told, in Chinese, to wait — on a page with the app's
// header and a way on, not a bare error — and even the right code waits until the budget refills,
// so a refusal reveals nothing. The server runs with `--guesses-per-address 3`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, screenshot, assertFitsPhone, sqliteRows,
} from './harness.mjs';

let app;
let browser;

before(async () => {
  app = await startApp({ demo: true, args: ['--guesses-per-address', '3'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Types a code, a name and a phone on /checkin and taps 签到; returns the response status. */
async function tryCode(page, code, name, phone) {
  await page.getByLabel('大屏上的6位签到码').fill(code);
  await page.getByLabel('姓名').fill(name);
  await page.getByLabel('手机号码').fill(phone);
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: /^(重试)?签到$/ }).tap(),
  ]);
  return response.status();
}

test('a phone guessing check-in codes is told to wait, on a page with a way on', async () => {
  const [member] = await sqliteRows(app.dataDir,
    "SELECT m.name, m.phone FROM members m JOIN units u ON u.id = m.unit_id WHERE u.path LIKE (SELECT path FROM units WHERE name = '蟹塘社区') || '%' AND m.phone IS NOT NULL LIMIT 1");
  assert.ok(member, 'the demo has a member at 蟹塘社区');
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/checkin`, { waitUntil: 'load' });
    for (const guess of ['111111', '222222', '333333']) {
      assert.equal(await tryCode(page, guess, member.name, member.phone), 400, `guess ${guess} is refused as wrong`);
      assert.match(await page.locator('#code-error').innerText(), /签到码不正确或已过期/);
    }
    // The budget of three is spent: the fourth try is told to wait, whatever it types.
    const status = await tryCode(page, '444444', member.name, member.phone);
    assert.equal(status, 429);
    const body = await page.locator('main').innerText();
    assert.match(body, /尝试次数过多，请稍等几分钟再试/);
    assert.ok(await page.locator('header, nav').first().isVisible(), 'the app\'s header is there');
    const ways = await page.locator('main a').allInnerTexts();
    assert.ok(ways.some((t) => /返回|重试|签到/.test(t)), `a way on from the refusal: ${JSON.stringify(ways)}`);
    await assertFitsPhone(page, 'the wait page');
    await screenshot(page, 'guessing-01-wait');
  } finally {
    await context.close();
  }
});
