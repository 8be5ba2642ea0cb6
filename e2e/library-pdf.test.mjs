// PDFs in the library: the committee uploads a PDF from a phone; a file that is not a PDF is
// refused in Chinese with the form kept; the PDF is listed under its category and a member opens
// it, served inline as application/pdf.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, launchBrowser, phoneContext, screenshot, login, assertFitsPhone } from './harness.mjs';

const COMMITTEE_ADMIN = '13900000001';
const MEMBER = '13900000400';
const TITLE = '党章学习辅导（PDF）';

let app;
let browser;
let dir;

before(async () => {
  app = await startApp({ demo: true });
  browser = await launchBrowser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dongxun-pdf-'));
});

after(async () => {
  await browser?.close();
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A one-page PDF with a line of text, small but well formed. */
function tinyPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = 'BT /F1 18 Tf 20 70 Td (Dangzhang study notes) Tj ET';
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${body}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

test('the committee uploads a PDF on a phone and a member opens it from its category', async () => {
  const pdf = path.join(dir, 'dangzhang.pdf');
  fs.writeFileSync(pdf, tinyPdf());
  const fake = path.join(dir, 'fake.pdf');
  fs.writeFileSync(fake, '<html><script>alert(1)</script></html>');
  const phone = await phoneContext(browser);
  try {
    const page = await phone.newPage();
    await login(page, app.baseUrl, COMMITTEE_ADMIN);
    await page.goto(`${app.baseUrl}/library/new#pdf`, { waitUntil: 'load' });
    const form = page.locator('form[action^="/library/pdf"]');
    await form.getByLabel('标题').fill(TITLE);
    await form.getByLabel('分类').fill('党章党规');
    await form.getByLabel('PDF 文件').setInputFiles(fake);
    await Promise.all([page.waitForLoadState('load'), form.getByRole('button', { name: '上传' }).click()]);
    const refused = page.locator('[data-field-error="file"]');
    assert.match(await refused.innerText(), /不是 PDF 文件，请上传 PDF 格式的资料/);
    assert.equal(await page.locator('form[action^="/library/pdf"] input[name="title"]').inputValue(), TITLE);
    await refused.scrollIntoViewIfNeeded();
    await assertFitsPhone(page, 'the refused upload');
    await screenshot(page, 'library-pdf-01-phone-refused', { fullPage: false });

    const again = page.locator('form[action^="/library/pdf"]');
    await again.getByLabel('PDF 文件').setInputFiles(pdf);
    await Promise.all([
      page.waitForURL((u) => /^\/library\/\d+$/.test(u.pathname)),
      again.getByRole('button', { name: '上传' }).click(),
    ]);
    const itemPath = new URL(page.url()).pathname;

    const member = await phone.browser().newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const reader = await member.newPage();
    await login(reader, app.baseUrl, MEMBER);
    await reader.goto(`${app.baseUrl}/library?category=${encodeURIComponent('党章党规')}`, { waitUntil: 'load' });
    await reader.getByRole('link', { name: TITLE }).click();
    await reader.waitForURL((u) => u.pathname === itemPath);
    const open = reader.getByRole('link', { name: '打开 PDF' });
    assert.equal(await open.getAttribute('href'), `${itemPath}/pdf`);
    await assertFitsPhone(reader, 'the PDF item');
    await screenshot(reader, 'library-pdf-02-phone-item');
    const answer = await reader.evaluate(async (href) => {
      const r = await fetch(href);
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
    }, `${itemPath}/pdf`);
    assert.deepEqual(answer, { status: 200, type: 'application/pdf', head: '%PDF-' });
    await member.close();
  } finally {
    await phone.close();
  }
});
