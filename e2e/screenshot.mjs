#!/usr/bin/env node
// Log in and save full-page screenshots of pages at desktop and phone widths.
//
//   node screenshot.mjs BASE_URL USER PASS OUTDIR path1 [path2 ...]
//   node screenshot.mjs http://127.0.0.1:8080 supervisor 'pw' /tmp/shots / /orgs '/orgs?page_size=50'
//
// Writes OUTDIR/NN-<path>-desktop.png (1366x900) and OUTDIR/NN-<path>-phone.png (390x844),
// and prints one line per shot with the HTTP status and any console errors, CSP violations
// or horizontal overflow. Exits 1 if login fails or any page answers >= 400.
// Chinese text needs a CJK font on the machine, else it renders as boxes:
//   apt-get install fonts-wqy-microhei   (1.6 MB; fonts-noto-cjk also works)
// Use USER "-" to take the screenshots without logging in.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, login, watchPage } from './lib/anjian.mjs';

const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

function usage(msg) {
  if (msg) process.stderr.write(`${msg}\n`);
  process.stderr.write('usage: node screenshot.mjs BASE_URL USER PASS OUTDIR path1 [path2 ...]\n');
  process.exit(2);
}

function fileStem(index, p) {
  const clean = p.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'root';
  return `${String(index + 1).padStart(2, '0')}-${clean.slice(0, 80)}`;
}

async function main() {
  const [baseArg, user, pass, outDir, ...paths] = process.argv.slice(2);
  if (!baseArg || !user || pass === undefined || !outDir) usage();
  if (paths.length === 0) usage('give at least one path');
  const baseURL = baseArg.replace(/\/+$/, '');
  fs.mkdirSync(outDir, { recursive: true });
  try {
    if (!execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim()) {
      process.stderr.write('warning: no CJK font installed, Chinese text will show as boxes (apt-get install fonts-wqy-microhei)\n');
    }
  } catch { /* no fontconfig tools: cannot tell */ }

  const browser = await launchChromium();
  let failures = 0;
  try {
    for (const vp of VIEWPORTS) {
      const context = await browser.newContext({
        viewport: vp.viewport,
        isMobile: vp.isMobile,
        hasTouch: vp.hasTouch,
        deviceScaleFactor: 1,
        locale: 'zh-CN',
      });
      const page = await context.newPage();
      const problems = await watchPage(page);
      if (user !== '-') {
        await login(page, baseURL, user, pass);
        if (new URL(page.url()).pathname === '/login') {
          process.stderr.write(`login as ${user} failed (${vp.name}): still on ${page.url()}\n`);
          await context.close();
          failures++;
          continue;
        }
      }
      for (const [i, p] of paths.entries()) {
        problems.reset();
        const target = p.startsWith('http') ? p : `${baseURL}${p.startsWith('/') ? '' : '/'}${p}`;
        let status = 0;
        try {
          const resp = await page.goto(target, { waitUntil: 'load', timeout: 30_000 });
          status = resp ? resp.status() : 0;
          await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
        } catch (err) {
          process.stderr.write(`${vp.name} ${p}: navigation failed: ${err.message}\n`);
          failures++;
          continue;
        }
        const file = path.join(outDir, `${fileStem(i, p)}-${vp.name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        await problems.collectCsp();
        const overflow = await page.evaluate(() => {
          const w = document.documentElement.scrollWidth;
          return w > window.innerWidth + 1 ? w : 0;
        });
        const notes = [];
        if (status >= 400) { notes.push(`HTTP ${status}`); failures++; }
        if (new URL(page.url()).pathname !== new URL(target).pathname) notes.push(`ended on ${page.url()}`);
        if (overflow) notes.push(`horizontal overflow: page is ${overflow}px wide in a ${vp.viewport.width}px viewport`);
        if (problems.consoleErrors.length) notes.push(`console errors: ${problems.consoleErrors.join(' | ')}`);
        if (problems.csp.length) notes.push(`CSP: ${problems.csp.join(' | ')}`);
        if (problems.pageErrors.length) notes.push(`page errors: ${problems.pageErrors.join(' | ')}`);
        if (problems.badResponses.length) notes.push(`bad sub-resources: ${problems.badResponses.join(' | ')}`);
        process.stdout.write(`${status} ${vp.name.padEnd(7)} ${p} -> ${file}${notes.length ? `\n    ${notes.join('\n    ')}` : ''}\n`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  process.exit(failures ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
