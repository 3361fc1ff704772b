// Browser tests: the release binary with `serve --demo`, Debian's Chromium, the real login form.
// Run: cd e2e && npm ci && ANJIAN_BIN=../target/release/anjian npm test

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cjkLines, launchChromium, login, startDemoServer, watchPage } from '../lib/anjian.mjs';

describe('anjian in Chromium', { timeout: 180_000 }, () => {
  let server;
  let browser;

  before(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('demo accounts are printed with random passwords', () => {
    const { accounts } = server;
    for (const name of ['supervisor', 'admin', 'auditor', 'officer1']) {
      assert.ok(accounts[name], `demo account ${name} missing from stdout:\n${server.stdout}`);
      assert.ok(accounts[name].password.length >= 8, `password of ${name} looks too short`);
      assert.match(accounts[name].role, /[\u4e00-\u9fff]/, `role of ${name} should be a Chinese role name`);
    }
    assert.equal(accounts.supervisor.role, '局监管人员');
    const passwords = new Set(Object.values(accounts).map((a) => a.password));
    assert.equal(passwords.size, Object.keys(accounts).length, 'demo passwords should differ between accounts');
  });

  test('supervisor logs in and sees the 待办事项 home page without console errors or CSP violations', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    try {
      const { username, password } = server.accounts.supervisor;
      await login(page, server.baseURL, username, password);

      const url = new URL(page.url());
      assert.equal(url.pathname, '/', `after login the browser should land on /, got ${page.url()}`);
      await page.getByRole('heading', { name: '待办事项' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      assert.ok((await page.title()).trim().length > 0, 'home page has an empty <title>');

      const cookies = await context.cookies(server.baseURL);
      assert.ok(cookies.length > 0, 'no cookie set after login');

      // Reload once: a logged-in session must survive a plain GET of /.
      await page.reload({ waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, '/', 'session did not survive a reload');
      await page.getByRole('heading', { name: '待办事项' }).first().waitFor({ state: 'visible', timeout: 10_000 });

      await problems.collectCsp();
      assert.deepEqual(problems.csp, [], `CSP violations:\n${problems.summary()}`);
      assert.deepEqual(problems.consoleErrors, [], `console errors:\n${problems.summary()}`);
      assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${problems.summary()}`);
      assert.deepEqual(problems.badResponses, [], `sub-resources answered 4xx/5xx:\n${problems.summary()}`);
      assert.deepEqual(problems.failedRequests, [], `failed requests:\n${problems.summary()}`);
    } catch (err) {
      err.message += `\n(page url: ${page.url()})\n${server.logTail()}`;
      throw err;
    } finally {
      await context.close();
    }
  });

  test('a wrong password shows a Chinese error message and stays on /login', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = await watchPage(page);
    try {
      await page.goto(`${server.baseURL}/login`, { waitUntil: 'load' });
      const before = new Set(await cjkLines(page));

      const resp = await login(page, server.baseURL, 'supervisor', 'definitely-not-the-password-42');
      assert.ok(resp, 'submitting the login form did not navigate');
      assert.ok(resp.status() < 500, `login POST answered ${resp.status()}`);
      assert.equal(new URL(page.url()).pathname, '/login', `wrong password should stay on /login, got ${page.url()}`);

      const newLines = (await cjkLines(page)).filter((l) => !before.has(l));
      assert.ok(newLines.length > 0, `no new Chinese message appeared after a wrong password; page text:\n${await page.locator('body').innerText()}`);
      assert.ok(await page.locator('input[name="password"]').isVisible(), 'the login form is gone after a wrong password');

      // The wrong attempt must not have produced a session: / still sends us to the login page.
      await page.goto(`${server.baseURL}/`, { waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, '/login', `an anonymous GET / should end on /login, got ${page.url()}`);

      await problems.collectCsp();
      assert.deepEqual(problems.csp, [], `CSP violations:\n${problems.summary()}`);
      assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${problems.summary()}`);
    } catch (err) {
      err.message += `\n(page url: ${page.url()})\n${server.logTail()}`;
      throw err;
    } finally {
      await context.close();
    }
  });
});
