// Browser test of the hazard closed loop (隐患闭环), entirely through the pages as people use them,
// at a desktop and at a phone viewport:
//   1. inspector1 records an inspection with the 消防安全检查表; one item 不合格 → a hazard 待整改;
//   2. officer1 finds it in the to-do list, fills 五落实, submits the rectification with an
//      after-photo → 待验收, and cannot verify its own rectification;
//   3. supervisor verifies it → 已销号, and the timeline names who did what.
// Every page is checked for console errors, CSP violations, failed sub-resources and sideways
// scrolling; a failing step leaves a screenshot and the page HTML in the artifacts directory.
//
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePng, selectByText } from '../lib/anjian.mjs';
import {
  WAIT, addDays, field, forEachViewport, imageLoads, session, sharedEnv,
} from '../lib/flow.mjs';

const SITE = '城东直属库';
const CHECKLIST = '消防安全检查表';
const FAILED_ITEM = 2; // 消防车通道、疏散通道、安全出口畅通… (a general, not a 重大隐患判定, item)
const HAZARD = {
  description: '2号仓房北侧消防通道堆放空包装袋约30包，通道被堵塞',
  location: '2号仓房北侧消防通道',
};
const PLAN = { owner: '周安全员', measures: '清理通道堆放物，划设禁停标线，纳入每日巡查', funds: '1200.50' };

const env = sharedEnv();
const statusTag = (page) => page.getByRole('heading', { level: 1 }).locator('span.tag').first();

forEachViewport('hazard closed loop', { timeout: 120_000 }, (vp) => {
  // Shared between the steps, which build on each other.
  const flow = { inspectionId: null, hazardId: null, today: null, deadline: null };

  test('1. inspector1 records an inspection; the failed item becomes a hazard 待整改', async () => {
    await session(env, 'inspector1', vp, 'hazard-flow-1-inspection', async ({ page, check, go, menu }) => {
      // 安全检查 → 登记检查 (on a phone the side menu is folded: menu() opens it).
      await menu('安全检查');
      await check('inspection list', 'hazard-flow-01-inspections');
      await go(page.getByRole('link', { name: '登记检查' }));

      // Step 1: what is inspected and with which checklist.
      await selectByText(page.getByLabel('受检单位'), SITE);
      await selectByText(page.getByLabel('检查表'), CHECKLIST);
      await check('inspection step 1', 'hazard-flow-02-new-step1');
      await go(page.getByRole('button', { name: '下一步' }));

      // Step 2: one result per checklist item.
      await page.getByRole('heading', { name: /^检查项目（共\d+项）$/ }).waitFor(WAIT);
      flow.today = await page.getByLabel('检查日期').inputValue();
      assert.match(flow.today, /^\d{4}-\d{2}-\d{2}$/, '检查日期 should default to today');
      flow.deadline = addDays(flow.today, 5);
      const groups = page.getByRole('radiogroup');
      const n = await groups.count();
      assert.ok(n >= FAILED_ITEM, `the ${CHECKLIST} shows only ${n} items`);
      for (let k = 1; k <= n; k++) {
        const result = k === FAILED_ITEM ? '不合格' : '合格';
        await page.getByRole('radiogroup', { name: `第${k}项检查结果` }).getByRole('radio', { name: result, exact: true }).check();
      }
      // The hazard block of the failed item: the description comes prefilled with the item text.
      const item = page.locator('fieldset').filter({ has: page.getByRole('radiogroup', { name: `第${FAILED_ITEM}项检查结果` }) });
      // Choosing 不合格 opens the item's hazard block (app.js); without script the user opens it.
      const description = item.getByLabel('隐患描述');
      if (!(await description.isVisible())) await item.getByText('不合格时登记一般隐患').click();
      await description.waitFor({ state: 'visible', ...WAIT });
      const itemText = (await item.locator('p').first().innerText()).trim();
      assert.equal(
        (await description.inputValue()).trim(),
        `不符合检查要求：${itemText}`,
        'the hazard description should be prefilled as the breach of the item',
      );
      await description.fill(HAZARD.description);
      await item.getByLabel('隐患部位').fill(HAZARD.location);
      await item.getByLabel('整改期限').fill(flow.deadline);
      await page.getByRole('textbox', { name: '检查情况' }).fill('对城东直属库开展消防安全检查，发现消防通道堵塞1处，已当场要求整改。');
      await check('inspection step 2 filled', 'hazard-flow-03-new-step2');
      await go(page.getByRole('button', { name: '保存检查记录' }));

      // The inspection page: the failed item links to its new hazard.
      const m = /^\/inspections\/(\d+)$/.exec(new URL(page.url()).pathname);
      assert.ok(m, `saving should open the inspection page, got ${page.url()}\n${await page.locator('main').innerText()}`);
      flow.inspectionId = Number(m[1]);
      await page.getByRole('status').filter({ hasText: '已新增' }).waitFor(WAIT);
      await page.getByRole('heading', { name: new RegExp(`不合格1项`) }).waitFor(WAIT);
      const failedRow = page.getByRole('row').filter({ has: page.locator('.tag.danger', { hasText: '不合格' }) });
      assert.equal(await failedRow.count(), 1, 'exactly one item should be shown as 不合格');
      const hazardLink = failedRow.getByRole('link', { name: /^隐患#\d+$/ });
      flow.hazardId = Number((await hazardLink.innerText()).replace('隐患#', ''));
      assert.equal(await page.getByRole('row').filter({ has: page.locator('.tag.ok', { hasText: '合格' }) }).count(), n - 1,
        'the other items should be shown as 合格');
      await check('inspection detail', 'hazard-flow-04-inspection-detail');

      await go(hazardLink);
      assert.equal(new URL(page.url()).pathname, `/hazards/${flow.hazardId}`);
      assert.equal((await statusTag(page).innerText()).trim(), '待整改');
      assert.equal(await field(page, '隐患描述'), HAZARD.description);
      assert.equal(await field(page, '隐患部位'), HAZARD.location);
      assert.equal(await field(page, '整改期限'), flow.deadline);
      assert.equal(await field(page, '隐患等级'), '一般隐患');
      assert.equal(await field(page, '来源检查'), `检查记录 #${flow.inspectionId}`);
      await check('hazard registered', 'hazard-flow-05-hazard-pending');
    });
  });

  test('2. officer1 fills 五落实 and submits the rectification with a photo; it cannot verify its own work', async () => {
    assert.ok(flow.hazardId, 'step 1 did not register a hazard');
    await session(env, 'officer1', vp, 'hazard-flow-2-rectification', async ({ page, check, go, context, server }) => {
      // The home page's to-do list leads to the ledger filtered on what awaits rectification.
      const todo = page.getByRole('link', { name: '待整改的隐患' });
      await todo.waitFor(WAIT);
      await check('officer home', 'hazard-flow-06-officer-home');
      await go(todo);
      await check('ledger: to rectify', 'hazard-flow-07-ledger-to-rectify');
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `#${flow.hazardId}`, exact: true }) });
      await row.getByText('待整改').waitFor(WAIT);
      await go(row.getByRole('link', { name: HAZARD.description }));
      assert.equal(new URL(page.url()).pathname, `/hazards/${flow.hazardId}`);

      // 五落实: owner, measures, funds (the deadline was set at registration).
      const assign = page.locator('section').filter({ has: page.getByRole('heading', { name: '落实整改（五落实）' }) });
      await assign.getByLabel('整改责任人').fill(PLAN.owner);
      await assign.getByLabel('整改措施').fill(PLAN.measures);
      await assign.getByLabel('整改资金（元）').fill(PLAN.funds);
      await go(assign.getByRole('button', { name: '保存整改安排' }));
      await page.getByRole('status').filter({ hasText: '已保存' }).waitFor(WAIT);
      assert.equal((await statusTag(page).innerText()).trim(), '整改中');
      await check('五落实 saved', 'hazard-flow-08-assigned');

      // Rectification done: date, after-photo, note.
      const submit = page.locator('section').filter({ has: page.getByRole('heading', { name: '整改完成，提交验收' }) });
      await submit.getByLabel('整改完成日期').fill(flow.today);
      await submit.getByLabel('整改后照片或证明材料').setInputFiles({
        name: '整改后-消防通道.png', mimeType: 'image/png', buffer: makePng(),
      });
      await submit.getByLabel('整改说明').fill('堆放物已清走，通道已划设禁停标线。');
      await go(submit.getByRole('button', { name: '提交验收' }));
      await page.getByRole('status').filter({ hasText: '已提交' }).waitFor(WAIT);
      assert.equal((await statusTag(page).innerText()).trim(), '待验收');
      // The after-photo is listed with a thumbnail that really loads.
      await imageLoads(page.getByRole('img', { name: '整改后-消防通道.png' }), 'the after-photo thumbnail');
      await check('rectification submitted', 'hazard-flow-09-submitted');

      // Negative: no verification form for the rectifier…
      assert.equal(await page.getByRole('heading', { name: '复查验收' }).count(), 0, 'officer1 should not see 复查验收');
      assert.equal(await page.getByRole('button', { name: /验收通过/ }).count(), 0, 'officer1 should not see 验收通过');
      // …and a forged verification (the session's own CSRF token; the permission guard answers
      // before the row version is looked at) is refused in Chinese.
      const csrf = await page.locator('form[action="/logout"] input[name="csrf_token"]').inputValue();
      const forged = await context.request.post(`${server.baseURL}/hazards/${flow.hazardId}/verify`, {
        form: { csrf_token: csrf, row_version: '3', verified_on: flow.today, note: '' },
        maxRedirects: 0,
      });
      // (A CSRF refusal is a 403 too: the message tells the permission refusal apart.)
      assert.equal(forged.status(), 403, `a verification by officer1 should be refused with 403, got ${forged.status()}`);
      assert.match(await forged.text(), /没有执行此操作的权限/, 'the refusal should say, in Chinese, that the permission is missing');
      await page.reload({ waitUntil: 'load' });
      assert.equal((await statusTag(page).innerText()).trim(), '待验收', 'the refused verification changed the status');
      await check('after forged verification');
    });
  });

  test('3. supervisor verifies; the hazard is 已销号 and the timeline names who did what', async () => {
    assert.ok(flow.hazardId, 'step 1 did not register a hazard');
    await session(env, 'supervisor', vp, 'hazard-flow-3-verification', async ({ page, check, go, server }) => {
      const todo = page.getByRole('link', { name: '待我复查验收的隐患' });
      await todo.waitFor(WAIT);
      await go(todo);
      await check('ledger: to verify', 'hazard-flow-10-ledger-to-verify');
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `#${flow.hazardId}`, exact: true }) });
      await row.getByText('待验收').waitFor(WAIT);
      await go(row.getByRole('link', { name: `#${flow.hazardId}`, exact: true }));

      // What the unit reported is there to check against.
      assert.equal(await field(page, '整改责任人'), PLAN.owner);
      assert.equal(await field(page, '整改措施'), PLAN.measures);
      assert.equal(await field(page, '整改资金'), `${PLAN.funds} 元`);
      assert.equal(await field(page, '整改完成日期'), `${flow.today}（周安全员）`);
      await check('hazard awaiting verification', 'hazard-flow-11-verify-form');

      const verify = page.locator('section').filter({ has: page.getByRole('heading', { name: '复查验收' }) });
      await verify.getByLabel('验收日期').fill(flow.today);
      await verify.getByLabel('验收意见').fill('现场复查，消防通道已畅通，同意销号。');
      await go(verify.getByRole('button', { name: '验收通过，销号' }));
      await page.getByRole('status').filter({ hasText: '已验收销号' }).waitFor(WAIT);
      assert.equal((await statusTag(page).innerText()).trim(), '已销号');
      assert.equal(await field(page, '验收日期'), `${flow.today}（陈监管）`);
      assert.equal(await field(page, '验收意见'), '现场复查，消防通道已畅通，同意销号。');
      assert.equal(await page.getByRole('button', { name: /验收/ }).count(), 0, 'a closed hazard offers no verification');

      // The timeline, oldest first: registered → assigned → submitted → verified, by the right people.
      const timeline = page.locator('section').filter({ has: page.getByRole('heading', { name: '处理过程' }) }).locator('li');
      const events = (await timeline.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      const expected = [
        ['登记隐患', '吴检查'],
        ['落实整改（五落实）', '周安全员'],
        ['提交验收', '周安全员'],
        ['验收通过，销号', '陈监管'],
      ];
      assert.equal(events.length, expected.length, `timeline:\n${events.join('\n')}`);
      expected.forEach(([what, who], i) => {
        assert.ok(events[i].startsWith(what) && events[i].includes(who),
          `timeline entry ${i + 1} should be “${what}” by ${who}, got “${events[i]}”\n${events.join('\n')}`);
      });
      await check('hazard closed', 'hazard-flow-12-closed');

      // The ledger shows it closed, and nothing is left to verify.
      await page.goto(`${server.baseURL}/hazards?status=closed`, { waitUntil: 'load' });
      const closedRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: `#${flow.hazardId}`, exact: true }) });
      await closedRow.getByText('已销号').waitFor(WAIT);
      await check('ledger: closed', 'hazard-flow-13-ledger-closed');
      await page.goto(`${server.baseURL}/`, { waitUntil: 'load' });
      assert.equal(await page.getByRole('link', { name: '待我复查验收的隐患' }).count(), 0, 'the verified hazard is still in the to-do list');
      await check('supervisor home after verification', 'hazard-flow-14-supervisor-home');
    });
  });
});
