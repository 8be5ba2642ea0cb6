// A live lesson over HLS (云课堂 直播): the 蟹塘社区 secretary schedules a live lecture whose
// address is an HLS playlist (as SRS or nginx-rtmp publish one). Before it starts the member's
// page counts down; once it is on she joins (recorded as the live link is) and the stream plays
// in the page — natively or through the vendored hls.js — and its clock advances.
//
// The stream is made here with Debian's ffmpeg (a test pattern cut into 2 s segments) and served
// from loopback by a tiny node http server on another port, with CORS as SRS sends it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  startApp, launchBrowser, phoneContext, desktopContext, screenshot, login,
  horizontalOverflow, sqliteRows,
} from './harness.mjs';

const STATION_ADMIN = '13900000100'; // 蟹塘社区书记（演示）
const STATION = '蟹塘社区';

let app;
let browser;
let server;
let streamDir;
let skipWhy = '';
// Playlists under /later/ answer 404 until this is set: a lecture whose stream has not started.
let laterLive = false;

/** Makes an 8 s HLS stream in `dir` (H.264 in MPEG-TS where libx264 exists, else VP9 in fMP4). */
function makeStream(dir) {
  const encoders = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (encoders.error) return `ffmpeg cannot run (${encoders.error.code}); scripts/test installs it`;
  const video = /libx264 /.test(encoders.stdout)
    ? ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-profile:v', 'baseline', '-g', '20']
    : ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-g', '20', '-hls_segment_type', 'fmp4'];
  const made = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10',
    '-t', '8', ...video, '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0',
    path.join(dir, 'live.m3u8'),
  ], { encoding: 'utf8' });
  return made.status === 0 ? '' : `ffmpeg failed: ${made.stderr}`;
}

before(async () => {
  streamDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dongxun-hls-'));
  skipWhy = makeStream(streamDir);
  if (skipWhy) {
    console.log(`# skipping the HLS test: ${skipWhy}`);
    return;
  }
  server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url, 'http://x').pathname);
    const file = path.join(streamDir, name);
    if (req.url.startsWith('/later/') && !laterLive) { res.writeHead(404); res.end(); return; }
    if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    const type = name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl'
      : name.endsWith('.ts') ? 'video/mp2t' : 'video/mp4';
    res.writeHead(200, { 'Content-Type': type, 'Access-Control-Allow-Origin': '*' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  app = await startApp({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  server?.close();
  if (streamDir) fs.rmSync(streamDir, { recursive: true, force: true });
});

/** A day in Shanghai as YYYY-MM-DD, `offset` days from today. */
function shanghaiDay(offset = 0) {
  const at = new Date(Date.now() + offset * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at);
}

/** Schedules a live lecture as the secretary; returns its path. */
async function scheduleLive(desk, title, day, url) {
  await desk.goto(`${app.baseUrl}/sessions/new`, { waitUntil: 'load' });
  await desk.getByLabel('类型').selectOption('live');
  await desk.getByRole('textbox', { name: '主题' }).fill(title);
  await desk.getByLabel('日期', { exact: true }).fill(day);
  await desk.getByLabel('开始', { exact: true }).fill('00:00');
  await desk.getByLabel('结束', { exact: true }).fill('23:59');
  await desk.getByLabel('线上链接（直播/录播）').fill(url);
  await Promise.all([
    desk.waitForURL((u) => /^\/sessions\/\d+$/.test(u.pathname)),
    desk.getByRole('button', { name: '安排' }).click(),
  ]);
  return new URL(desk.url()).pathname;
}

test('an HLS live lesson counts down, then plays in the page once the member joins', async (t) => {
  if (skipWhy) { t.skip(skipWhy); return; }
  const playlist = `http://127.0.0.1:${server.address().port}/live/live.m3u8`;
  const admin = await desktopContext(browser);
  const phone = await phoneContext(browser);
  try {
    const desk = await admin.newPage();
    await login(desk, app.baseUrl, STATION_ADMIN);
    const tomorrow = await scheduleLive(desk, '直播党课：明日开讲', shanghaiDay(2), playlist);
    const today = await scheduleLive(desk, '直播党课：冬训夜话', shanghaiDay(0), playlist);

    const [member] = await sqliteRows(
      app.dataDir,
      `SELECT m.name, m.phone FROM members m JOIN units u ON u.id = m.unit_id
       WHERE u.path LIKE (SELECT path FROM units WHERE name = ? AND kind = 'station') || '%'
         AND m.status = 'active' AND m.phone IS NOT NULL ORDER BY m.id LIMIT 1`,
      [STATION],
    );
    const page = await phone.newPage();
    const refused = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });

    // Before the start: a countdown.
    await page.goto(`${app.baseUrl}${tomorrow}/online`, { waitUntil: 'load' });
    await page.getByLabel('姓名').fill(member.name);
    await page.getByLabel('手机号码').fill(member.phone);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('k')), page.getByRole('button', { name: '开始学习' }).tap()]);
    await page.waitForFunction(() => /距开始还有 1天\d+小时\d+分\d+秒/.test(document.querySelector('#countdown').textContent));
    assert.equal(await page.locator('video#live').count(), 0);
    assert.deepEqual(await horizontalOverflow(page), [], 'the countdown fits a 360 px phone');
    await screenshot(page, 'live-01-phone-countdown');

    // On now: she joins, comes back to the page, and the stream plays in it.
    await page.goto(`${app.baseUrl}${today}/online`, { waitUntil: 'load' });
    await page.getByLabel('姓名').fill(member.name);
    await page.getByLabel('手机号码').fill(member.phone);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('k')), page.getByRole('button', { name: '开始学习' }).tap()]);
    await Promise.all([
      page.waitForURL((u) => u.pathname === `${today}/online` && u.searchParams.has('k')),
      page.getByRole('button', { name: '进入直播' }).tap(),
    ]);
    const video = page.locator('video#live');
    await video.waitFor();
    await page.waitForFunction(() => document.querySelector('video#live').currentTime > 2, null, { timeout: 30_000 });
    const player = await video.getAttribute('data-player');
    console.log(`# played by: ${player}`);
    assert.ok(['native', 'hls.js'].includes(player));
    assert.match(await page.locator('#online-counted').innerText(), /本场已计入冬训学习（线上直播）/);
    assert.deepEqual(refused, [], 'the CSP lets the stream through');
    assert.deepEqual(await horizontalOverflow(page), [], 'the player fits a 360 px phone');
    await screenshot(page, 'live-02-phone-playing');

    // A browser without native HLS (most Android WebViews) plays it through hls.js, fed by
    // Media Source Extensions from a blob: URL the CSP allows.
    const viaJs = await phone.newPage();
    viaJs.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
    await viaJs.addInitScript(() => {
      const native = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = function (type) {
        return /mpegurl/i.test(type) ? '' : native.call(this, type);
      };
    });
    await viaJs.goto(page.url(), { waitUntil: 'load' });
    await viaJs.waitForFunction(() => document.querySelector('video#live').currentTime > 2, null, { timeout: 30_000 });
    assert.equal(await viaJs.locator('video#live').getAttribute('data-player'), 'hls.js');
    assert.match(await viaJs.locator('video#live').getAttribute('src'), /^blob:/);
    assert.deepEqual(refused, [], 'the CSP lets hls.js through');
    await screenshot(viaJs, 'live-03-phone-playing-hlsjs');

    // The secretary sees her as 线上直播.
    await desk.goto(`${app.baseUrl}${today}`, { waitUntil: 'load' });
    assert.match(await desk.locator('ol.attendance').innerText(), new RegExp(`${member.name}[\\s\\S]*线上直播`));
  } finally {
    await phone.close();
    await admin.close();
  }
});

test('a stream that is not on yet says so, and the page picks it up once it starts', async (t) => {
  if (skipWhy) { t.skip(skipWhy); return; }
  const playlist = `http://127.0.0.1:${server.address().port}/later/live.m3u8`;
  const admin = await desktopContext(browser);
  const phone = await phoneContext(browser);
  try {
    const desk = await admin.newPage();
    await login(desk, app.baseUrl, STATION_ADMIN);
    const lesson = await scheduleLive(desk, '直播党课：信号稍后接通', shanghaiDay(0), playlist);
    const [member] = await sqliteRows(
      app.dataDir,
      `SELECT m.name, m.phone FROM members m JOIN units u ON u.id = m.unit_id
       WHERE u.path LIKE (SELECT path FROM units WHERE name = ? AND kind = 'station') || '%'
         AND m.status = 'active' AND m.phone IS NOT NULL ORDER BY m.id LIMIT 1 OFFSET 1`,
      [STATION],
    );
    const page = await phone.newPage();
    await page.goto(`${app.baseUrl}${lesson}/online`, { waitUntil: 'load' });
    await page.getByLabel('姓名').fill(member.name);
    await page.getByLabel('手机号码').fill(member.phone);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('k')), page.getByRole('button', { name: '开始学习' }).tap()]);
    await Promise.all([
      page.waitForURL((u) => u.pathname === `${lesson}/online` && u.searchParams.has('k')),
      page.getByRole('button', { name: '进入直播' }).tap(),
    ]);
    // The playlist is 404 (nobody is pushing yet): the member is told, and nothing is a dead end.
    const status = page.locator('#live-status');
    await status.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await status.innerText(), /直播信号尚未接通，正在自动重试/);
    assert.deepEqual(await horizontalOverflow(page), [], 'the notice fits a 360 px phone');
    await screenshot(page, 'live-04-phone-waiting-for-signal');

    // The lecturer starts pushing: the next retry finds the stream and it plays, notice gone.
    laterLive = true;
    await page.waitForFunction(() => document.querySelector('video#live').currentTime > 2, null, { timeout: 40_000 });
    assert.equal(await status.isHidden(), true, 'the notice goes once the stream plays');
    const firstPlayer = await page.locator('video#live').getAttribute('data-player');

    // The same through the other player (hls.js where the browser plays HLS itself, and back).
    laterLive = false;
    const other = await phone.newPage();
    await other.addInitScript((useJs) => {
      const native = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = function (type) {
        return /mpegurl/i.test(type) ? (useJs ? '' : 'maybe') : native.call(this, type);
      };
    }, firstPlayer === 'native');
    await other.goto(page.url(), { waitUntil: 'load' });
    await other.locator('#live-status').waitFor({ state: 'visible', timeout: 20_000 });
    laterLive = true;
    await other.waitForFunction(() => document.querySelector('video#live').currentTime > 2, null, { timeout: 40_000 });
    assert.notEqual(await other.locator('video#live').getAttribute('data-player'), firstPlayer);
    assert.equal(await other.locator('#live-status').isHidden(), true);
  } finally {
    laterLive = false;
    await phone.close();
    await admin.close();
  }
});
