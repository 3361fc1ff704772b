// Browser test of risk grading (风险分级管控), through the pages as people use them, at a desktop
// and at a phone viewport:
//   1. officer1 adds a risk point at 城东直属库, identifies a risk and assesses it with LEC:
//      the L/E/C pickers show each value's meaning, the page shows D and the level while choosing,
//      and the saved risk shows the server's result (D = 3×6×15 = 270, 较大风险 橙);
//   2. officer1 adds a control measure, opens the 岗位安全风险告知卡 and prints it: the print layout is
//      one A4 page in colour, and the Word version downloads;
//   3. the same assessment works without JavaScript (the "计算等级" button asks the server).
// Every page is checked for console errors, CSP violations, failed sub-resources and sideways
// scrolling; a failing step leaves a screenshot and the page HTML in the artifacts directory.
//
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectByText } from '../lib/anjian.mjs';
import { WAIT, forEachViewport, session, sharedEnv } from '../lib/flow.mjs';

const SITE = '城东直属库';
const RISK = '熏蒸后散气不彻底，人员提前进仓作业';
const MEASURE = '进仓前检测磷化氢浓度，低于0.3mg/m³方可进入';

const env = sharedEnv();

forEachViewport('risk assessment and notice card', { timeout: 150_000 }, (vp) => {
  // Each viewport adds its own risk point.
  const POINT = { name: `7号平房仓熏蒸作业（${vp.phone ? '手机' : '电脑'}端测试）`, location: '东库区7号仓', phone: '0591-87000001' };
  const flow = { pointUrl: null, riskUrl: null };

  test('1. officer1 adds a point and assesses a risk with LEC, seeing D and the level live', async () => {
    await session(env, 'officer1', vp, 'risk-flow-1-assessment', async ({ page, check, go, menu }) => {
      await menu('风险分级管控');
      await check('risk register', 'risk-flow-01-register');
      await go(page.getByRole('link', { name: '新增风险点' }).first());
      await selectByText(page.getByLabel('单位/库点'), SITE);
      await page.getByLabel('风险点类型').selectOption('activity');
      await page.getByLabel('风险点名称').fill(POINT.name);
      await page.getByLabel('所在位置').fill(POINT.location);
      await page.getByLabel('报告电话').fill(POINT.phone);
      await check('new point form', 'risk-flow-02-point-form');
      await go(page.getByRole('button', { name: '保存' }));
      await page.getByRole('heading', { level: 1, name: new RegExp(POINT.name) }).waitFor(WAIT);
      flow.pointUrl = new URL(page.url()).pathname;
      await check('point page');

      await go(page.getByRole('link', { name: '辨识评估新风险' }));
      await page.getByLabel(/^风险描述/).fill(RISK);
      // The pickers show each value with its meaning.
      const l = page.getByLabel(/^L 事故发生的可能性/);
      const options = await l.locator('option').allTextContents();
      assert.ok(options.includes('3 — 可能，但不经常'), `L options: ${options.join(' | ')}`);
      const out = page.locator('[data-risk-output]');
      await l.selectOption('3');
      await page.getByLabel(/^E 暴露于危险环境的频繁程度/).selectOption('6');
      await page.getByLabel(/^C 发生事故可能造成的后果/).selectOption('15');
      // Live: computed by app.js from the rules the page carries.
      assert.equal((await out.innerText()).trim(), 'D = 3×6×15 = 270 → 较大风险（橙）');
      assert.equal(await out.getAttribute('class'), 'risk-orange');
      await page.getByLabel(/^C 发生事故可能造成的后果/).selectOption('40');
      assert.equal((await out.innerText()).trim(), 'D = 3×6×40 = 720 → 重大风险（红）');
      await page.getByLabel(/^C 发生事故可能造成的后果/).selectOption('15');
      // With JavaScript the server round trip button is hidden.
      assert.equal(await page.getByRole('button', { name: '计算等级（不保存）' }).isVisible(), false);
      await check('risk form with LEC', 'risk-flow-03-lec-form');

      await go(page.getByRole('button', { name: '保存评估' }));
      flow.riskUrl = new URL(page.url()).pathname;
      assert.match(flow.riskUrl, /^\/risks\/\d+$/);
      const body = await page.locator('main').innerText();
      assert.ok(body.includes('D = 3×6×15 = 270'), 'the saved risk shows D');
      assert.ok(body.includes('较大风险（橙）'), 'and its level');
      await check('risk page', 'risk-flow-04-risk');
    });
  });

  test('2. officer1 adds a measure and prints the notice card on one A4 page', async () => {
    assert.ok(flow.riskUrl, 'step 1 did not save a risk');
    await session(env, 'officer1', vp, 'risk-flow-2-card', async ({ page, check, go, open }) => {
      await open(flow.riskUrl);
      await page.getByLabel('措施类型').selectOption('management');
      await page.getByLabel(/^管控措施内容/).fill(MEASURE);
      await go(page.getByRole('button', { name: '添加措施' }));
      assert.ok((await page.locator('main').innerText()).includes(MEASURE));

      await open(flow.pointUrl);
      await go(page.getByRole('link', { name: '岗位安全风险告知卡' }));
      const card = page.getByRole('article', { name: '岗位安全风险告知卡' });
      const text = await card.innerText();
      for (const want of [POINT.name, '较大风险', RISK, MEASURE, POINT.phone]) {
        assert.ok(text.includes(want), `the card lacks ${want}`);
      }
      assert.equal(await card.locator('header').getAttribute('class'), 'risk-orange');
      await check('notice card', 'risk-flow-05-card');

      // Print: only the card, one A4 page, colours kept.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.sidebar').isVisible(), false, 'no menu in print');
      assert.equal(await page.locator('.toolbar').first().isVisible(), false, 'no buttons in print');
      const bg = await card.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(bg, 'rgb(244, 124, 32)');
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      assert.equal(pages, 1, 'the card prints on one page');
      const box = pdf.toString('latin1').match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/);
      assert.ok(box, 'a media box');
      assert.ok(Math.abs(Number(box[1]) - 595) < 2 && Math.abs(Number(box[2]) - 842) < 2, `A4 portrait, got ${box[1]}×${box[2]}`);
      await page.emulateMedia({ media: 'screen' });

      // The Word version.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: '下载Word版' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /岗位安全风险告知卡_.*\.docx$/);
    });
  });

  test('3. without JavaScript the server computes the level', async () => {
    assert.ok(flow.pointUrl, 'step 1 did not add a risk point');
    await session(env, 'officer1', vp, 'risk-flow-3-no-script', async ({ page, check, go, open }) => {
      await open(`${flow.pointUrl}/risks/new`);
      await page.getByLabel(/^风险描述/).fill('进仓作业人员踩空跌落');
      await page.getByLabel(/^L 事故发生的可能性/).selectOption('1');
      await page.getByLabel(/^E 暴露于危险环境的频繁程度/).selectOption('3');
      await page.getByLabel(/^C 发生事故可能造成的后果/).selectOption('7');
      await go(page.getByRole('button', { name: '计算等级（不保存）' }));
      const out = (await page.locator('[data-risk-output]').innerText()).trim();
      assert.equal(out, 'D = 1×3×7 = 21（一般危险，需要注意） → 低风险（蓝）');
      await check('computed without JS', 'risk-flow-06-compute');
      await go(page.getByRole('button', { name: '保存评估' }));
      assert.match(new URL(page.url()).pathname, /^\/risks\/\d+$/);
      assert.ok((await page.locator('main').innerText()).includes('低风险'));
    }, { javaScriptEnabled: false });
  });
});
