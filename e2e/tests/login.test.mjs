// Browser tests of signing in: the binary with `serve --demo`, Debian's Chromium, the real login
// form, at a desktop and at a phone viewport.
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cjkLines, login, watchPage } from '../lib/anjian.mjs';
import {
  WAIT, forEachViewport, saveArtifacts, session, sharedEnv, withContext,
} from '../lib/flow.mjs';

const env = sharedEnv();

test('demo accounts are printed with random passwords', () => {
  const { accounts } = env.server;
  for (const name of ['supervisor', 'admin', 'auditor', 'officer1']) {
    assert.ok(accounts[name], `demo account ${name} missing from stdout:\n${env.server.stdout}`);
    assert.ok(accounts[name].password.length >= 8, `password of ${name} looks too short`);
    assert.match(accounts[name].role, /[\u4e00-\u9fff]/, `role of ${name} should be a Chinese role name`);
  }
  assert.equal(accounts.supervisor.role, '局监管人员');
  const passwords = new Set(Object.values(accounts).map((a) => a.password));
  assert.equal(passwords.size, Object.keys(accounts).length, 'demo passwords should differ between accounts');
});

forEachViewport('signing in', { timeout: 60_000 }, (vp) => {
  test('supervisor logs in and sees the 待办事项 home page; the session survives a reload', async () => {
    await session(env, 'supervisor', vp, 'login-supervisor', async ({ page, context, check, server }) => {
      await page.getByRole('heading', { name: '待办事项' }).first().waitFor(WAIT);
      assert.ok((await page.title()).trim().length > 0, 'home page has an empty <title>');
      assert.ok((await context.cookies(server.baseURL)).length > 0, 'no cookie set after login');
      await page.reload({ waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, '/', 'session did not survive a reload');
      await page.getByRole('heading', { name: '待办事项' }).first().waitFor(WAIT);
      await check('home page after a reload', 'login-01-home');
    });
  });

  test('a wrong password shows a Chinese error message and stays on /login', async () => {
    const { server, browser } = env;
    const context = await browser.newContext(vp.options);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT.timeout);
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
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
      }));
      assert.ok(scrollWidth <= innerWidth + 1, `/login scrolls sideways: ${scrollWidth}px in ${innerWidth}px`);

      // The wrong attempt must not have produced a session: / still sends us to the login page.
      await page.goto(`${server.baseURL}/`, { waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, '/login', `an anonymous GET / should end on /login, got ${page.url()}`);

      await problems.collectCsp();
      assert.deepEqual(problems.csp, [], `CSP violations:\n${problems.summary()}`);
      assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${problems.summary()}`);
    } catch (err) {
      const files = await saveArtifacts(page, `login-wrong-password-${vp.name}`);
      throw withContext(err, `\n(page url: ${page.url()})\nfailure artifacts: ${files.join(', ')}`);
    } finally {
      await context.close();
    }
  });
});
