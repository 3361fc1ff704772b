// Browser test of the incident report flow (事故信息报告 首报 → 续报 → 终报), through the pages,
// at a desktop and at a phone viewport:
//   1. officer1 files an initial report of an accident with one minor injury; the page shows the
//      grade 一般事故 with its reason and the 首报 on time;
//   2. officer1 adds a follow-up: a second minor injury, flagged as a casualty-change 补报;
//   3. supervisor finds it on the board of open events and closes it with a final report;
//      the form is gone and the event reads 已终报结案.
// Every page is checked for console errors, CSP violations, failed sub-resources and sideways
// scrolling; a failing step leaves a screenshot and the page HTML in the artifacts directory.
//
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectByText } from '../lib/anjian.mjs';
import { WAIT, field, forEachViewport, session, sharedEnv } from '../lib/flow.mjs';

const env = sharedEnv();

forEachViewport('incident report 首报/续报/终报', { timeout: 120_000 }, (vp) => {
  // Each viewport reports its own event, told apart by its title.
  const TITLE = `城东直属库出粮作业输送机夹伤一人（${vp.phone ? '手机' : '电脑'}端测试）`;
  const flow = { id: null };

  test('1. officer1 files an initial report; the grade and the clock are shown', async () => {
    await session(env, 'officer1', vp, 'incident-flow-1-initial', async ({ page, check, go, menu }) => {
      await menu('事故信息报告');
      await check('incident list', 'incident-flow-01-list');
      await go(page.getByRole('link', { name: '填报首报' }));
      await selectByText(page.getByLabel('事发单位'), '城东直属库');
      await selectByText(page.getByLabel('事件类别'), '生产安全事故');
      await selectByText(page.getByLabel(/^事故类别/), '03 机械伤害');
      await page.getByLabel('标题').fill(TITLE);
      await page.getByLabel('发生地点').fill('城东直属库3号仓出粮口');
      await page.getByLabel('简要经过').fill('清仓出粮时作业人员手套被输送机卷入，右手轻微夹伤，已送医。');
      await page.getByLabel('轻伤').fill('1');
      await page.getByLabel('直接经济损失（元）').fill('3500');
      await page.getByLabel('已采取的措施').fill('立即停机断电，送医检查，现场停工整顿。');
      await page.getByLabel('联系方式').fill('13805910011');
      await check('initial report filled', 'incident-flow-02-form');
      await go(page.getByRole('button', { name: '提交首报' }));
      const m = /^\/incidents\/(\d+)$/.exec(new URL(page.url()).pathname);
      assert.ok(m, `submitting should open the event, got ${page.url()}\n${await page.locator('main').innerText()}`);
      flow.id = Number(m[1]);
      await page.getByRole('status').filter({ hasText: '首报已提交' }).waitFor(WAIT);
      assert.match(await field(page, '事故等级'), /^一般事故：未达到较大事故标准，为一般事故$/);
      assert.equal(await field(page, '事故类别'), '03 机械伤害 （GB/T 6441-1986）');
      assert.match(await field(page, '首报时限'), /首报按时/);
      assert.match(await field(page, '下次续报'), /距下次续报/);
      await check('initial report filed', 'incident-flow-03-detail');
    });
  });

  test('2. officer1 adds a follow-up with a casualty change', async () => {
    assert.ok(flow.id, 'step 1 did not file a report');
    await session(env, 'officer1', vp, 'incident-flow-2-follow-up', async ({ page, check, go, open }) => {
      await open(`/incidents/${flow.id}`);
      const form = page.locator('form').filter({ has: page.getByRole('button', { name: '提交报告' }) });
      await form.getByLabel('续报', { exact: true }).check();
      await form.getByLabel('续报内容 / 终报说明').fill('另一名作业人员在施救时手臂擦伤，已包扎处理。');
      await form.getByLabel('轻伤').fill('2');
      await go(form.getByRole('button', { name: '提交报告' }));
      await page.getByRole('status').filter({ hasText: '续报已提交' }).waitFor(WAIT);
      const row = page.getByRole('row').filter({ hasText: '轻伤 1→2人' });
      await row.getByText('伤亡变化补报').waitFor(WAIT);
      assert.match(await field(page, '伤亡情况'), /轻伤 2 人/);
      await check('follow-up added', 'incident-flow-04-follow-up');
    });
  });

  test('3. supervisor sees it on the board and closes it with a final report', async () => {
    assert.ok(flow.id, 'step 1 did not file a report');
    await session(env, 'supervisor', vp, 'incident-flow-3-final', async ({ page, check, go, menu }) => {
      await menu('事故信息报告');
      const open = page.locator('section').filter({ has: page.getByRole('heading', { name: /^处置中的事件/ }) });
      await open.getByRole('link', { name: TITLE }).waitFor(WAIT);
      await check('board of open events', 'incident-flow-05-board');
      await go(open.getByRole('link', { name: TITLE }));
      const form = page.locator('form').filter({ has: page.getByRole('button', { name: '提交报告' }) });
      await form.getByLabel('终报（结案）').check();
      await form.getByLabel('续报内容 / 终报说明').fill('伤者均已出院，现场已恢复作业。');
      await form.getByLabel('事故原因').fill('清仓作业未执行停机挂牌，违规伸手清理输送机。');
      await form.getByLabel('责任认定').fill('当班班长违章指挥，负直接管理责任。');
      await form.getByLabel('整改措施').fill('输送机加装急停拉绳和防护罩；全员开展进出仓作业安全培训。');
      await go(form.getByRole('button', { name: '提交报告' }));
      await page.getByRole('status').filter({ hasText: '终报已提交' }).waitFor(WAIT);
      await page.getByRole('heading', { level: 1 }).getByText('已终报结案').waitFor(WAIT);
      assert.equal(await page.getByRole('button', { name: '提交报告' }).count(), 0, 'no more reports once closed');
      assert.equal(await field(page, '事故原因'), '清仓作业未执行停机挂牌，违规伸手清理输送机。');
      const kinds = await page.locator('table.list tbody tr td:first-child').allInnerTexts();
      assert.deepEqual(kinds.map((k) => k.trim().slice(0, 2)), ['首报', '续报', '终报']);
      await check('closed', 'incident-flow-06-closed');
    });
  });
});
