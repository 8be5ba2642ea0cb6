// Online study (云课堂 → coverage): the 蟹塘社区 secretary schedules a recorded lecture and shares
// its link; a member opens it on a phone inside WeChat, says who she is once, and plays it. The
// page reports what was actually played; at 90 % the recording counts, and the secretary sees her
// on the session's attendance list as 线上录播.
//
// The recording's address is on another host (the district's video platform); the browser's
// requests to it are answered by the test with a short silent WAV, so nothing leaves loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, launchBrowser, phoneContext, desktopContext, screenshot, login,
  horizontalOverflow, sqliteRows,
} from './harness.mjs';

const STATION_ADMIN = '13900000100'; // 蟹塘社区书记（演示）
const STATION = '蟹塘社区';
const TITLE = '线上录播：乡村振兴政策解读';
const VIDEO_URL = 'https://video.example.cn/e2e/xiangcun-zhenxing.wav';
const SECONDS = 36;

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

/** A silent mono 8 kHz 8-bit PCM WAV of `seconds`: a real media file the browser can play. */
function silentWav(seconds) {
  const rate = 8000;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples, 128);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate, 28); // bytes per second
  wav.writeUInt16LE(1, 32); // block align
  wav.writeUInt16LE(8, 34); // bits per sample
  wav.write('data', 36);
  wav.writeUInt32LE(samples, 40);
  return wav;
}

/** Today's date in Shanghai as YYYY-MM-DD (the form's date input). */
function shanghaiToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

test('a member watches a shared recording to 90 % on her phone and it counts', async () => {
  const admin = await desktopContext(browser);
  const phone = await phoneContext(browser);
  try {
    // The secretary schedules the recording (published from midnight today) with its address.
    const desk = await admin.newPage();
    await login(desk, app.baseUrl, STATION_ADMIN);
    await desk.goto(`${app.baseUrl}/sessions/new`, { waitUntil: 'load' });
    await desk.getByLabel('类型').selectOption('recording');
    await desk.getByRole('textbox', { name: '主题' }).fill(TITLE);
    await desk.getByLabel('日期', { exact: true }).fill(shanghaiToday());
    await desk.getByLabel('开始', { exact: true }).fill('00:00');
    await desk.getByLabel('结束', { exact: true }).fill('00:45');
    await desk.getByLabel('线上链接（直播/录播）').fill(VIDEO_URL);
    await Promise.all([
      desk.waitForURL((u) => /^\/sessions\/\d+$/.test(u.pathname)),
      desk.getByRole('button', { name: '安排' }).click(),
    ]);
    const sessionPath = new URL(desk.url()).pathname;
    const shareUrl = (await desk.locator('.share-url').innerText()).trim();
    assert.equal(shareUrl, `${app.baseUrl}${sessionPath}/online`, 'the page gives the link to share');
    await screenshot(desk, 'online-01-session-share-desktop', { fullPage: false });

    // A member of the station, by name and phone (read from the database: pages mask phones).
    const [member] = await sqliteRows(
      app.dataDir,
      `SELECT m.name, m.phone FROM members m JOIN units u ON u.id = m.unit_id
       WHERE u.path LIKE (SELECT path FROM units WHERE name = ? AND kind = 'station') || '%'
         AND m.status = 'active' AND m.phone IS NOT NULL ORDER BY m.id LIMIT 1`,
      [STATION],
    );
    assert.ok(member, `${STATION} has a member with a phone`);

    const page = await phone.newPage();
    const wav = silentWav(SECONDS);
    await page.route('https://video.example.cn/**', (route) =>
      route.fulfill({ status: 200, contentType: 'audio/wav', body: wav }));
    await page.goto(shareUrl, { waitUntil: 'load' });
    assert.match(await page.locator('h1').innerText(), /线上录播/);
    await page.getByLabel('姓名').fill(member.name);
    await page.getByLabel('手机号码').fill(member.phone);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('k')), page.getByRole('button', { name: '开始学习' }).tap()]);
    const video = page.locator('video#recording');
    await video.waitFor();
    assert.match(await page.locator('#watch-status').innerText(), /已观看0%，看满90%计入冬训学习/);
    assert.deepEqual(await horizontalOverflow(page), [], 'the recording page fits a 360 px phone');
    await screenshot(page, 'online-02-phone-recording');

    // She plays it (muted and fast, so the test is short; 4× stays within what the server
    // accepts as real playback) to the end.
    await page.waitForFunction(() => Number.isFinite(document.querySelector('video#recording').duration));
    await video.evaluate((v) => { v.muted = true; v.playbackRate = 4; return v.play(); });
    await page.waitForFunction(
      () => /已计入冬训学习/.test(document.querySelector('#watch-status').textContent),
      null,
      { timeout: 60_000, polling: 250 },
    );
    await screenshot(page, 'online-03-phone-counted');

    // Reopened later, the page says it counted.
    await page.reload({ waitUntil: 'load' });
    assert.match(await page.locator('#online-counted').innerText(), /本场已计入冬训学习（线上录播）/);

    // The secretary sees her on the attendance list, as 线上录播.
    await desk.goto(`${app.baseUrl}${sessionPath}`, { waitUntil: 'load' });
    assert.match(await desk.locator('#attended-count').innerText(), /^1人$/);
    assert.match(await desk.locator('ol.attendance').innerText(), new RegExp(`${member.name}[\\s\\S]*线上录播`));
  } finally {
    await phone.close();
    await admin.close();
  }
});

test('a member joins a live broadcast from the shared link and lands in the live room', async () => {
  const LIVE_URL = 'https://live.example.cn/e2e/room';
  const admin = await desktopContext(browser);
  const phone = await phoneContext(browser);
  try {
    // The secretary schedules a live lecture for the whole day, so it is on now.
    const desk = await admin.newPage();
    await login(desk, app.baseUrl, STATION_ADMIN);
    await desk.goto(`${app.baseUrl}/sessions/new`, { waitUntil: 'load' });
    await desk.getByLabel('类型').selectOption('live');
    await desk.getByRole('textbox', { name: '主题' }).fill('线上直播：冬训夜话');
    await desk.getByLabel('日期', { exact: true }).fill(shanghaiToday());
    await desk.getByLabel('开始', { exact: true }).fill('00:00');
    await desk.getByLabel('结束', { exact: true }).fill('23:59');
    await desk.getByLabel('线上链接（直播/录播）').fill(LIVE_URL);
    await Promise.all([
      desk.waitForURL((u) => /^\/sessions\/\d+$/.test(u.pathname)),
      desk.getByRole('button', { name: '安排' }).click(),
    ]);
    const sessionPath = new URL(desk.url()).pathname;

    // Another member of the station (the recording test used the first).
    const [member] = await sqliteRows(
      app.dataDir,
      `SELECT m.name, m.phone FROM members m JOIN units u ON u.id = m.unit_id
       WHERE u.path LIKE (SELECT path FROM units WHERE name = ? AND kind = 'station') || '%'
         AND m.status = 'active' AND m.phone IS NOT NULL ORDER BY m.id LIMIT 1 OFFSET 1`,
      [STATION],
    );
    const page = await phone.newPage();
    // The live room is on the district's platform; the test answers for it.
    await page.route('https://live.example.cn/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<h1>直播间</h1>' }));
    await page.goto(`${app.baseUrl}${sessionPath}/online`, { waitUntil: 'load' });
    assert.match(await page.locator('h1').innerText(), /线上直播/);
    await page.getByLabel('姓名').fill(member.name);
    await page.getByLabel('手机号码').fill(member.phone);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('k')), page.getByRole('button', { name: '开始学习' }).tap()]);
    await page.getByRole('button', { name: '进入直播' }).tap();
    // Recorded first, then sent on to the room (a Refresh, which the CSP's form-action allows).
    await page.waitForURL(LIVE_URL, { timeout: 15_000 });
    assert.equal(await page.locator('h1').innerText(), '直播间');

    // The secretary sees her as 线上直播, marked self-declared (identified by name and phone).
    await desk.goto(`${app.baseUrl}${sessionPath}`, { waitUntil: 'load' });
    const list = await desk.locator('ol.attendance').innerText();
    assert.match(list, new RegExp(`${member.name}[\\s\\S]*线上直播`));
    assert.match(list, /自报/);
    await screenshot(desk, 'online-04-live-attendance-desktop', { fullPage: false });
  } finally {
    await phone.close();
    await admin.close();
  }
});
