// Browser test of the training ledger (培训台账) as people use it: officer1 on a phone opens
// 安全工作台账 → 安全培训 → 新增记录, fills the training with its attendees and a sign-in photo,
// saves, sees the photo on the record, and sees the training counted in the period statistics
// and in the per-person hours. Every page is checked for console errors, CSP violations, failed
// sub-resources and sideways scrolling; screenshots go to /tmp/e2e-shots/ (E2E_SHOTS_DIR).
//
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertCleanPage, launchChromium, login, makePng, screenshot, selectByText, startDemoServer,
  watchDocuments, watchPage,
} from '../lib/anjian.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const WAIT = { timeout: 10_000 };
const TITLE = '有限空间作业安全专项培训';

describe('training ledger in Chromium', { timeout: 120_000 }, () => {
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

  async function go(page, locator) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  }

  test('officer1 adds a training with a sign-in photo and sees it counted', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    const problems = await watchPage(page);
    const badDocuments = watchDocuments(page);
    const check = async (where, shot) => {
      await assertCleanPage(problems, where);
      assert.deepEqual(badDocuments, [], `${where}: pages answered with an error status`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${where}: the page scrolls sideways by ${overflow}px`);
      if (shot) await screenshot(page, shot);
    };
    try {
      const { username, password } = server.accounts.officer1;
      await login(page, server.baseURL, username, password);
      // The statistics before: how many trainings this half-year.
      await page.goto(`${server.baseURL}/ledgers`);
      const countOf = async () => {
        const text = await page.locator('dl.fields dt:text-is("培训活动") + dd').innerText();
        return Number(text.match(/^(\d+) 场/)[1]);
      };
      const before = await countOf();
      await check('ledger overview', 'ledger-flow-01-overview-phone');

      await go(page, page.getByRole('link', { name: '安全培训', exact: true }));
      await check('training ledger', 'ledger-flow-02-training-list-phone');
      await go(page, page.getByRole('link', { name: '新增记录' }));
      await selectByText(page.getByLabel('单位'), '城东直属库');
      await page.getByLabel('培训名称').fill(TITLE);
      await page.getByLabel('培训类型').fill('安全培训');
      await page.getByLabel('学时').fill('3.5');
      await page.getByLabel('授课人').fill('周安全员');
      await page.getByLabel('参训人数').fill('18');
      await page.getByLabel(/^周安全员/).check();
      await page.getByLabel(/^附件/).setInputFiles({ name: '签到表.png', mimeType: 'image/png', buffer: makePng() });
      await check('training form', 'ledger-flow-03-training-form-phone');
      await go(page, page.getByRole('button', { name: '保存' }));

      assert.match(new URL(page.url()).pathname, /^\/ledgers\/entries\/\d+$/);
      await page.getByRole('heading', { level: 1, name: /^安全培训 #\d+$/ }).waitFor(WAIT);
      assert.equal((await page.locator('dl.fields dt:text-is("学时") + dd').innerText()).trim(), '3.5');
      await page.locator('a[title="签到表.png"] img').waitFor(WAIT);
      await check('training record', 'ledger-flow-04-training-detail-phone');

      await page.goto(`${server.baseURL}/ledgers`);
      assert.equal(await countOf(), before + 1, 'the training is counted in the half-year statistics');
      await page.goto(`${server.baseURL}/ledgers/boards/training-hours`);
      const row = page.locator('tr', { hasText: '周安全员' }).first();
      await row.waitFor(WAIT);
      await check('training hours board', 'ledger-flow-05-hours-phone');
    } catch (err) {
      err.message += `\n(page url: ${page.url()})\n${server.logTail()}`;
      throw err;
    } finally {
      await context.close();
    }
  });
});
