// Test harness for dongxun's browser tests.
//
// Runs the real server binary ($DONGXUN_BIN, built by `cargo build`) on a
// fresh data directory and an OS-chosen loopback port, and drives the
// Debian-packaged chromium through playwright-core. No browser is ever
// downloaded: the executable is /usr/bin/chromium (override with
// $DONGXUN_CHROMIUM).

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const execFileP = promisify(execFile);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');

export const SCREENSHOT_DIR = path.join(HERE, 'screenshots');
export const CHROMIUM_PATH = process.env.DONGXUN_CHROMIUM || '/usr/bin/chromium';
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
// The server prints exactly: "dongxun listening on http://127.0.0.1:PORT".
const LISTENING_RE = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;
// Keep only the tail of the server output (for error messages).
const OUTPUT_KEEP = 64 * 1024;

// Every live server and browser, so that a crashing test file does not leave
// orphans behind (node --test runs each file in its own process).
const live = new Set();
function killAllSync() {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.once('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => { killAllSync(); process.exit(128 + (sig === 'SIGINT' ? 2 : 15)); });
}

function appBinary() {
  const bin = process.env.DONGXUN_BIN || path.join(REPO, 'target', 'debug', 'dongxun');
  if (!existsSync(bin)) {
    throw new Error(`dongxun binary not found at ${bin}: run \`cargo build\` or set DONGXUN_BIN`);
  }
  return bin;
}

/**
 * Start the dongxun server on a fresh temporary data dir.
 *
 * @param {object} [opts]
 * @param {boolean} [opts.demo=true]  pass --demo (load the demo data set)
 * @param {string[]} [opts.args=[]]   extra arguments after `serve ...`
 * @param {Record<string,string>} [opts.env={}] extra environment variables
 * @returns {Promise<{baseUrl: string, port: number, dataDir: string, output: () => string, stop: () => Promise<void>}>}
 */
export async function startApp({ demo = true, args = [], env = {} } = {}) {
  const bin = appBinary();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dongxun-e2e-'));
  const argv = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'];
  if (demo) argv.push('--demo');
  argv.push(...args);

  const childEnv = { ...process.env, ...env };
  // The browser tests run against SQLite in the data dir, never the PG test cluster.
  delete childEnv.DONGXUN_TEST_PG;

  const child = spawn(bin, argv, {
    cwd: REPO,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);

  let output = '';
  let exited = null; // { code, signal } once the process is gone
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve(exited);
    });
  });

  const verbose = !!process.env.DONGXUN_E2E_VERBOSE;
  let resolveReady, rejectReady;
  const ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
  let pending = { stdout: '', stderr: '' };

  // Keep draining both pipes for the whole life of the process, so the server
  // never blocks on a full pipe.
  const onData = (stream) => (chunk) => {
    const text = chunk.toString('utf8');
    if (verbose) process.stderr.write(text);
    output += text;
    if (output.length > OUTPUT_KEEP) output = output.slice(-OUTPUT_KEEP);
    pending[stream] += text;
    const lines = pending[stream].split('\n');
    pending[stream] = lines.pop();
    for (const line of lines) {
      const m = LISTENING_RE.exec(line);
      if (m) resolveReady({ baseUrl: m[1], port: Number(m[2]) });
    }
  };
  child.stdout.on('data', onData('stdout'));
  child.stderr.on('data', onData('stderr'));
  child.once('error', (err) => rejectReady(err));
  exitPromise.then(({ code, signal }) =>
    rejectReady(new Error(`dongxun exited before listening (code ${code}, signal ${signal})`)));

  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(
      () => rej(new Error(`dongxun did not print "listening on http://127.0.0.1:PORT" within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
  });

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, STOP_GRACE_MS);
      await exitPromise;
      clearTimeout(t);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  let info;
  try {
    info = await Promise.race([ready, timeout]);
  } catch (err) {
    await stop();
    const cmd = [bin, ...argv].join(' ');
    throw new Error(`${err.message}\ncommand: ${cmd}\n--- server output ---\n${output}\n--- end ---`);
  } finally {
    clearTimeout(timer);
  }

  return {
    baseUrl: info.baseUrl,
    port: info.port,
    dataDir,
    output: () => output,
    stop,
  };
}

/** Launch the Debian chromium headless (fresh temporary profile each time). */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (scripts/test does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// WeChat's in-app browser (XWEB) on an Android phone.
export const WECHAT_ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 13; V2218A Build/TP1A.220624.014; wv) ' +
  'AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 ' +
  'XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) ' +
  'WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

/** A browser context that looks like a phone opening the link inside WeChat. */
export async function phoneContext(browser, extra = {}) {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    screen: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    userAgent: WECHAT_ANDROID_UA,
    ...extra,
  });
}

/** A plain desktop context (1280×800), for the admin side. */
export async function desktopContext(browser, extra = {}) {
  return browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...extra,
  });
}

/**
 * Save a screenshot to e2e/screenshots/NAME.png (ignored by git, so a run leaves
 * the checkout clean; look at them after a run); returns the path. Full page
 * by default; `{ fullPage: false }` keeps just the first screen (what a person
 * sees on opening a long list).
 */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Every demo account's password (see README). */
export const DEMO_PASSWORD = 'dongxun2021';

/**
 * Log in through the real /login form, like a person: type the phone number
 * and password, tap 登录, and wait until the browser has left /login.
 * Throws (with the page's error message) if the login was refused.
 */
export async function login(page, baseUrl, phone, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/login`, { waitUntil: 'load' });
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: 15_000 }),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
  if (new URL(page.url()).pathname === '/login') {
    const error = await page.locator('[role="alert"]').allInnerTexts();
    throw new Error(`login as ${phone} failed: ${error.join(' ') || '(no error shown)'}`);
  }
}

/**
 * Horizontal overflow of the current page at its viewport width: the
 * elements (tag#id.class, text) that stick out past the right edge, if any.
 * An empty list means nothing needs sideways scrolling.
 */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    // Without <meta name=viewport> a phone lays the page out 980 px wide and
    // shrinks it: everything "fits", unreadably small.
    if (width > screen.width) out.push(`layout width ${width}px > screen ${screen.width}px (meta viewport missing?)`);
    if (document.documentElement.scrollWidth > width + 1) {
      out.push(`page scrolls sideways: scrollWidth ${document.documentElement.scrollWidth}px > ${width}px`);
    }
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Inside a horizontally scrollable box (e.g. the tab bar) is fine.
      let scroller = el.parentElement;
      let clipped = false;
      while (scroller && scroller !== document.body) {
        const ox = getComputedStyle(scroller).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { clipped = true; break; }
        scroller = scroller.parentElement;
      }
      if (clipped) continue;
      if (r.right > width + 1) {
        const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
          (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : '');
        out.push(`${name} right=${Math.round(r.right)} "${(el.innerText || '').slice(0, 30)}"`);
      }
    }
    return out;
  });
}

/** Fails (naming what sticks out) unless the page fits its width without sideways scrolling. */
export async function assertFitsPhone(page, where) {
  const overflow = await horizontalOverflow(page);
  assert.deepEqual(overflow, [], `${where} should not need sideways scrolling at 360 px`);
}

// ---------------------------------------------------------------------------
// Helpers for the check-in and door-to-door tests.

/**
 * Read-only SQL against the app's SQLite database in `dataDir` (python3's
 * sqlite3 module, so no native node module is needed). Returns the rows as
 * objects keyed by column name. For picking test data only (real phone
 * numbers, pinyin initials); everything the test asserts goes through pages.
 */
export async function sqliteRows(dataDir, sql, params = []) {
  const script = [
    'import json, sqlite3, sys',
    'db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)',
    'db.row_factory = sqlite3.Row',
    'rows = db.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()',
    'print(json.dumps([dict(r) for r in rows], ensure_ascii=False))',
  ].join('\n');
  const { stdout } = await execFileP(
    'python3', ['-c', script, path.join(dataDir, 'dongxun.db'), sql, JSON.stringify(params)],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
}

/** `pdftotext -layout FILE -`: the text of a PDF (poppler-utils). */
export async function pdfText(pdfFile) {
  const { stdout } = await execFileP('pdftotext', ['-layout', pdfFile, '-'], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * `pdffonts FILE`: the fonts a PDF uses, as [{ name, type, encoding, embedded }].
 */
export async function pdfFonts(pdfFile) {
  const { stdout } = await execFileP('pdffonts', [pdfFile]);
  return stdout.split('\n').slice(2).filter((l) => l.trim()).map((line) => {
    // name type… encoding emb sub uni objnum gen: the last six columns are fixed.
    const cols = line.trim().split(/\s+/);
    const tail = cols.slice(-6);
    return { name: cols[0], type: cols.slice(1, -6).join(' '), encoding: tail[0], embedded: tail[1] === 'yes' };
  });
}

/**
 * Render page `page` (1-based) of a PDF to e2e/screenshots/NAME.png at `dpi`
 * (pdftoppm); returns the PNG's path.
 */
export async function pdfPageToPng(pdfFile, name, { page = 1, dpi = 70 } = {}) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const base = path.join(SCREENSHOT_DIR, name.replace(/\.png$/, ''));
  await execFileP('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', pdfFile, base]);
  return `${base}.png`;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A small valid PNG (RGB, `width`×`height`): a red-to-yellow gradient with a
 * dark stripe, standing in for a phone photo of a visit.
 */
export function tinyPng(width = 48, height = 32) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const stripe = y > height / 2 - 3 && y < height / 2 + 3;
      raw[row + 1 + x * 3] = stripe ? 40 : 200;
      raw[row + 2 + x * 3] = stripe ? 40 : Math.round((x / width) * 200);
      raw[row + 3 + x * 3] = 30;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Touch targets smaller than `min` CSS px (width or height) among the visible
 * elements matching `selector` (default: buttons, links styled as buttons,
 * inputs, selects): [{what, width, height}]. A phone user taps with a thumb.
 */
export async function smallTargets(page, selector = 'button, a.button, input:not([type=hidden]), select', min = 40) {
  return page.evaluate(({ selector, min }) => {
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // A check box or radio is tapped through its label.
      if (el.type === 'checkbox' || el.type === 'radio') {
        const label = el.closest('label');
        const lr = label?.getBoundingClientRect();
        if (lr && lr.height >= min) continue;
      }
      if (r.width < min || r.height < min) {
        const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 20);
        out.push({ what: `${el.tagName.toLowerCase()} "${text}"`, width: Math.round(r.width), height: Math.round(r.height) });
      }
    }
    return out;
  }, { selector, min });
}
