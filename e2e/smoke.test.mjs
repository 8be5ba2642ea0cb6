// Smoke test: the login page renders on a phone inside WeChat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, phoneContext, screenshot } from './harness.mjs';

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

test('login page renders on a phone in WeChat', async () => {
  const context = await phoneContext(browser);
  try {
    const page = await context.newPage();
    const response = await page.goto(`${app.baseUrl}/login`, { waitUntil: 'load' });
    assert.ok(response, 'no response for /login');
    assert.equal(response.status(), 200, `GET /login returned ${response.status()}`);

    const title = await page.title();
    assert.match(title, /冬训/, `title should contain 冬训, got ${JSON.stringify(title)}`);

    const text = await page.locator('body').innerText();
    assert.match(text, /登录/, 'page should contain 登录');

    await screenshot(page, 'login-phone.png');
  } finally {
    await context.close();
  }
});
