// The frame every browser flow runs in:
//   - one demo server and one Chromium per test file (started together, before the first test);
//   - each flow written once and run at a desktop and at a phone viewport (`forEachViewport`);
//   - `session()` opens a fresh context as one demo user, checks every page it is asked to
//     (console errors, CSP violations, failed sub-resources, error statuses, sideways scrolling),
//     and on failure saves a full-page screenshot and the page HTML into the artifacts directory
//     ($E2E_ARTIFACTS, else e2e/artifacts/) before the error is reported.
// Screenshots of passing steps are only taken when E2E_SHOTS_DIR is set (they cost time in CI).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe } from 'node:test';
import {
  assertCleanPage, launchChromium, login, startDemoServer, watchDocuments, watchPage,
} from './anjian.mjs';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How long a single wait may take before the step fails (no fixed sleeps anywhere). */
export const WAIT = { timeout: 10_000 };

/** The two viewports every flow runs at. `phone` flows open the folded side menu first. */
export const VIEWPORTS = [
  {
    name: 'desktop',
    phone: false,
    options: { viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' },
  },
  {
    name: 'phone',
    phone: true,
    options: {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    },
  },
];

/** Where failure screenshots and page HTML go: $E2E_ARTIFACTS (relative to cwd) or e2e/artifacts. */
export function artifactsDir() {
  return process.env.E2E_ARTIFACTS
    ? path.resolve(process.cwd(), process.env.E2E_ARTIFACTS)
    : path.join(E2E_DIR, 'artifacts');
}

const slug = (s) => s.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'page';

/**
 * Saves `<name>.png` (full page) and `<name>.html` of `page` into the artifacts directory.
 * Returns the paths written; never throws (a failing capture must not hide the real failure).
 */
export async function saveArtifacts(page, name) {
  const dir = artifactsDir();
  const stem = path.join(dir, slug(name));
  const written = [];
  try {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: `${stem}.png`, fullPage: true, timeout: 15_000 });
    written.push(`${stem}.png`);
  } catch (err) {
    written.push(`(no screenshot: ${String(err.message || err).split('\n')[0]})`);
  }
  try {
    fs.writeFileSync(`${stem}.html`, await page.content());
    written.push(`${stem}.html`);
  } catch (err) {
    written.push(`(no HTML: ${String(err.message || err).split('\n')[0]})`);
  }
  return written;
}

/**
 * The demo server and the browser shared by every test of the calling file, started in
 * parallel before its first test and stopped after its last. Returns `{ server, browser }`
 * (filled in once `before` has run).
 */
export function sharedEnv() {
  const env = { server: null, browser: null };
  before(async () => {
    const [server, browser] = await Promise.allSettled([startDemoServer(), launchChromium()]);
    if (server.status === 'fulfilled') env.server = server.value;
    if (browser.status === 'fulfilled') env.browser = browser.value;
    if (server.status === 'rejected') throw server.reason;
    if (browser.status === 'rejected') throw browser.reason;
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.server) await env.server.stop();
  });
  return env;
}

/**
 * Declares `body(vp)` once per viewport, each inside its own `describe` named
 * `<title> · <viewport>`. The desktop flow runs first, then the phone flow, against the same
 * server: flows must not depend on what the other viewport left behind.
 */
export function forEachViewport(title, options, body) {
  for (const vp of VIEWPORTS) {
    describe(`${title} · ${vp.name}`, options, () => body(vp));
  }
}

/** `YYYY-MM-DD` plus `days`, in calendar days (no time zone involved). */
export function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Today in Asia/Shanghai (the server's business time zone), as `YYYY-MM-DD`. */
export function todayShanghai() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

/**
 * Opens a fresh context at viewport `vp` as demo user `who` (logged in through the form), runs
 * `body(s)` and closes the context. `s` carries:
 *   page, context, vp, server;
 *   check(where, shot?)  asserts the page is clean and does not scroll sideways; with
 *                        E2E_SHOTS_DIR set, saves a screenshot `<shot>-<viewport>.png` there;
 *   go(locator)          clicks and waits for the next page to load;
 *   open(path)           navigates to a path of the server and waits for the load;
 *   menu(name)           follows an entry of the side menu (opening it first on a phone);
 *   refused(status)      the page shown answered `status` on purpose (a refused form).
 * `name` names the failure artifacts: `<name>-<viewport>.png/.html`.
 */
export async function session(env, who, vp, name, body, extraOptions = {}) {
  const { server, browser } = env;
  assert.ok(server && browser, 'the server or the browser did not start');
  const context = await browser.newContext({ ...vp.options, ...extraOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT.timeout);
  const problems = await watchPage(page);
  const badDocuments = watchDocuments(page);

  const check = async (where, shot) => {
    await assertCleanPage(problems, `${where} [${vp.name}]`);
    assert.deepEqual(badDocuments, [], `${where} [${vp.name}]: pages answered with an error status`);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.scrollingElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(
      scrollWidth <= innerWidth + 1,
      `${where} [${vp.name}]: ${new URL(page.url()).pathname} scrolls sideways: content ${scrollWidth}px wide in a ${innerWidth}px window`,
    );
    if (shot && process.env.E2E_SHOTS_DIR) {
      fs.mkdirSync(process.env.E2E_SHOTS_DIR, { recursive: true });
      await page.screenshot({ path: path.join(process.env.E2E_SHOTS_DIR, `${shot}-${vp.name}.png`), fullPage: true });
    }
  };
  const go = async (locator) => {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  };
  const open = async (p) => page.goto(`${server.baseURL}${p}`, { waitUntil: 'load' });
  const menu = async (label) => {
    const nav = page.getByRole('navigation', { name: '主菜单' });
    const link = nav.getByRole('link', { name: label, exact: true });
    if (!(await link.isVisible())) await nav.getByText('菜单', { exact: true }).click();
    await go(link);
  };

  /** The page shown now answered `status` on purpose (a refused form): forget that error status. */
  const refused = (status) => {
    assert.ok(badDocuments.length > 0, `[${vp.name}] expected the page to answer ${status}, it answered 2xx`);
    assert.ok(badDocuments.every((d) => d.startsWith(`${status} `)), `[${vp.name}] expected ${status}, got: ${badDocuments.join('; ')}`);
    badDocuments.length = 0;
    // Chromium also logs every 4xx document as a console error: that one was expected too.
    const expected = `the server responded with a status of ${status} `;
    problems.consoleErrors.splice(0, Infinity, ...problems.consoleErrors.filter((e) => !e.includes(expected)));
  };

  const s = { page, context, vp, server, check, go, open, menu, refused };
  try {
    const { username, password } = server.accounts[who];
    await login(page, server.baseURL, username, password);
    assert.equal(new URL(page.url()).pathname, '/', `${who} did not land on / after login (${page.url()})`);
    await check(`${who}: home page after login`);
    await body(s);
  } catch (err) {
    const files = await saveArtifacts(page, `${name}-${vp.name}`);
    const log = server.stderr.trimEnd().split('\n').slice(-15).join('\n');
    const extra = `\n(${who} at ${vp.name} ${vp.options.viewport.width}×${vp.options.viewport.height}, page url: ${page.url()})`
      + `\nfailure artifacts: ${files.join(', ')}\n--- server log (tail) ---\n${log}`;
    throw withContext(err, extra);
  } finally {
    await context.close();
  }
}

/**
 * Adds `extra` to an error's message and to its stack (the reporter prints the stack, which an
 * AssertionError computes once, when it is made). Non-errors are wrapped.
 */
export function withContext(err, extra) {
  if (!(err instanceof Error)) return new Error(`${String(err)}${extra}`);
  err.message += extra;
  if (typeof err.stack === 'string') err.stack += extra;
  return err;
}

/** The text of the <dd> that follows the <dt> `label` in a page's field lists. */
export async function field(page, label) {
  return (await page.locator(`dl.fields dt:text-is("${label}") + dd`).first().innerText()).trim();
}

/** Waits until the image `img` (a locator) has loaded, and asserts that it decoded to a picture. */
export async function imageLoads(img, what) {
  await img.waitFor(WAIT);
  const width = await img.evaluate((el) => (el.complete ? el.naturalWidth : new Promise((resolve) => {
    el.addEventListener('load', () => resolve(el.naturalWidth));
    el.addEventListener('error', () => resolve(0));
  })));
  assert.ok(width > 0, `${what}: the image did not load`);
}
