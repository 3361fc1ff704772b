// Browser test of the six safety-work ledgers (安全工作台账) as a unit's safety officer keeps them,
// at a desktop and at a phone viewport. For each ledger officer1 opens it from the overview, adds
// a record through 新增记录 (with an attachment where people attach one), and checks the record's
// page; then the overview's half-year statistics have grown by exactly what was added, and the
// ledger's own follow-ups show it: per-person training hours, drill improvement items that can be
// marked done, a meeting decision in the owner's to-do list, the year's responsibility letters.
// Every page is checked for console errors, CSP violations, failed sub-resources and sideways
// scrolling.
//
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePng, selectByText } from '../lib/anjian.mjs';
import {
  WAIT, addDays, field, forEachViewport, imageLoads, session, sharedEnv, todayShanghai,
} from '../lib/flow.mjs';

const UNIT = '市储备粮管理有限公司';
const SITE = '城东直属库';
const ME = '周安全员';

const env = sharedEnv();

/** The overview's half-year statistics, as numbers. */
async function overview(page) {
  const num = async (label, re) => {
    const text = await field(page, label);
    const m = re.exec(text);
    assert.ok(m, `${label}: unexpected “${text}”`);
    return Number(m[1]);
  };
  return {
    funding: await num('安全生产经费投入', /^([\d.]+) 万元/),
    publicity: await num('宣传活动', /^(\d+) 场/),
    training: await num('培训活动', /^(\d+) 场/),
    drill: await num('应急演练', /^(\d+) 场/),
    meeting: await num('安全生产工作会议', /^(\d+) 次/),
    quarterly: await num('安全生产工作会议', /其中季度会议 (\d+) 次/),
    letter: await num('签订目标责任书', /^(\d+) 份/),
  };
}

/** Hours of `name` on the training-hours board of this year. */
async function hoursOf(s, name) {
  await s.open('/ledgers/boards/training-hours');
  const row = s.page.locator('table.list tbody tr').filter({ has: s.page.locator(`td[data-label="姓名"]:text-is("${name}")`) });
  if ((await row.count()) === 0) return 0;
  return Number((await row.first().locator('td[data-label="年度学时"]').innerText()).trim());
}

/** Fills the first (blank) item of a drill or meeting form. */
async function fillItem(page, content, deadline) {
  const item = page.locator('fieldset fieldset').filter({ hasText: '第1项' });
  await item.getByLabel('内容').fill(content);
  await selectByText(item.getByLabel('负责人'), `${ME}（${UNIT}）`);
  await item.getByLabel('期限').fill(deadline);
}

forEachViewport('six safety-work ledgers', { timeout: 150_000 }, (vp) => {
  const tag = vp.phone ? '（手机端测试）' : '（电脑端测试）';
  const today = todayShanghai();
  // The letter is signed now for a coming year that no other letter covers (the demo signed this
  // year's): one year ahead at desktop, two at phone, so that each run's board shows its own.
  const year = String(Number(today.slice(0, 4)) + (vp.phone ? 2 : 1));

  // One entry per ledger: how to fill its form and what its page must then show.
  const LEDGERS = [
    {
      label: '安全生产经费投入',
      async fill(page) {
        await selectByText(page.getByLabel(/^单位/), SITE);
        await page.getByLabel(/^使用类别/).selectOption('5');
        await page.getByLabel(/^金额（元）/).fill('5000.00');
        await page.getByLabel(/^用途说明/).fill(`采购防毒面具和安全带${tag}`);
        await page.getByLabel(/^附件/).setInputFiles({ name: '发票.png', mimeType: 'image/png', buffer: makePng() });
      },
      shows: { 单位: SITE, 投入日期: today, 用途说明: `采购防毒面具和安全带${tag}`, 折合: '0.50 万元' },
      photo: '发票.png',
    },
    {
      label: '安全培训',
      async fill(page) {
        await selectByText(page.getByLabel(/^单位/), SITE);
        await page.getByLabel(/^培训名称/).fill(`有限空间作业安全专项培训${tag}`);
        await page.getByLabel(/^培训类型/).fill('安全培训');
        await page.getByLabel(/^学时/).fill('3.5');
        await page.getByLabel(/^授课人/).fill(ME);
        await page.getByLabel(/^参训人数/).fill('18');
        await page.getByLabel(new RegExp(`^${ME}`)).check();
        await page.getByLabel(/^附件/).setInputFiles({ name: '签到表.png', mimeType: 'image/png', buffer: makePng() });
      },
      shows: { 培训名称: `有限空间作业安全专项培训${tag}`, 学时: '3.5', 参训人数: '18' },
      photo: '签到表.png',
    },
    {
      label: '安全宣传活动',
      async fill(page) {
        await selectByText(page.getByLabel(/^单位/), SITE);
        await page.getByLabel(/^活动名称/).fill(`安全生产月宣传咨询日${tag}`);
        await page.getByLabel(/^宣传形式/).fill('五进·进社区');
        await page.getByLabel(/^受众人数/).fill('200');
        await page.getByLabel(/^活动内容/).fill('发放宣传册，讲解粮库防火和有限空间作业常识。');
      },
      shows: { 活动名称: `安全生产月宣传咨询日${tag}`, 宣传形式: '五进·进社区', 受众人数: '200' },
    },
    {
      label: '应急演练',
      async fill(page) {
        await selectByText(page.getByLabel(/^单位/), UNIT);
        await page.getByLabel(/^演练名称/).fill(`粮仓火灾应急疏散演练${tag}`);
        await page.getByLabel(/^演练场景/).fill('火灾');
        await page.getByLabel(/^演练类型/).selectOption('comprehensive');
        await page.getByLabel(/^演练形式/).selectOption('live');
        await page.getByLabel(/^预案类别/).selectOption('onsite');
        await page.getByLabel(/^所演练的预案/).fill('仓房火灾现场处置方案');
        await page.getByLabel(/^参演人数/).fill('25');
        await fillItem(page, `疏散指示标志不清晰，更换为蓄光型${tag}`, addDays(today, 10));
      },
      shows: { 演练名称: `粮仓火灾应急疏散演练${tag}`, 演练类型: '综合演练', 演练形式: '实战演练', 预案类别: '现场处置方案' },
      item: `疏散指示标志不清晰，更换为蓄光型${tag}`,
    },
    {
      label: '安全生产工作会议',
      async fill(page) {
        await selectByText(page.getByLabel(/^单位/), UNIT);
        await page.getByLabel(/^会议名称/).fill(`第四季度安全生产工作会议${tag}`);
        await page.getByLabel(/^会议类型/).selectOption('quarterly');
        await page.getByLabel(/^参会人员/).fill('孙主任、周安全员、各库点负责人');
        await page.getByLabel(/^会议议题/).fill('冬春火灾防控；年底前隐患清零。');
        await fillItem(page, `各库点月底前完成消防设施检测${tag}`, addDays(today, 20));
      },
      shows: { 会议名称: `第四季度安全生产工作会议${tag}`, 会议类型: '季度安全生产工作会议' },
      item: `各库点月底前完成消防设施检测${tag}`,
    },
    {
      label: '目标责任书',
      async fill(page) {
        await selectByText(page.getByLabel(/^单位/), UNIT);
        await page.getByLabel(/^责任年度/).fill(year);
        await page.getByLabel(/^责任书名称/).fill(`${year}年度安全生产暨消防安全目标责任书${tag}`);
        await page.getByLabel(/^签订双方/).fill(`某市粮食和物资储备局—${UNIT}`);
        await page.getByLabel(/^责任目标/).fill('全年不发生生产安全责任事故，一般隐患整改率100%。');
      },
      shows: { 责任年度: year, 签订双方: `某市粮食和物资储备局—${UNIT}` },
    },
  ];

  test('officer1 adds a record to each ledger and sees each one counted', async () => {
    await session(env, 'officer1', vp, 'ledger-flow', async (s) => {
      const { page, check, go } = s;
      const hoursBefore = await hoursOf(s, ME);
      await s.menu('安全工作台账');
      const before = await overview(page);
      await check('ledger overview', 'ledger-flow-01-overview');
      const entries = {};

      for (const ledger of LEDGERS) {
        await s.open('/ledgers');
        await go(page.getByRole('link', { name: ledger.label, exact: true }));
        await page.getByRole('heading', { level: 1, name: `${ledger.label}台账` }).waitFor(WAIT);
        await check(`${ledger.label} list`);
        await go(page.getByRole('link', { name: '新增记录' }));
        await ledger.fill(page);
        await check(`${ledger.label} form`, `ledger-flow-form-${ledger.label}`);
        await go(page.getByRole('button', { name: '保存' }));
        const m = /^\/ledgers\/entries\/(\d+)$/.exec(new URL(page.url()).pathname);
        assert.ok(m, `${ledger.label}: saving should open the record, got ${page.url()}\n${await page.locator('main').innerText()}`);
        entries[ledger.label] = m[1];
        await page.getByRole('heading', { level: 1, name: `${ledger.label} #${m[1]}` }).waitFor(WAIT);
        for (const [label, value] of Object.entries(ledger.shows)) {
          assert.equal(await field(page, label), value, `${ledger.label} #${m[1]}: ${label}`);
        }
        if (ledger.photo) {
          await imageLoads(page.locator(`a[title="${ledger.photo}"] img`), `${ledger.label}: the attachment's thumbnail`);
        }
        if (ledger.item) {
          const row = page.getByRole('row').filter({ hasText: ledger.item });
          assert.equal((await row.locator('td[data-label="负责人"]').innerText()).trim(), ME);
          await row.getByText('未完成').waitFor(WAIT);
        }
        await check(`${ledger.label} record`, `ledger-flow-record-${ledger.label}`);
      }

      // The half-year statistics grew by exactly what was added.
      await s.open('/ledgers');
      const after = await overview(page);
      assert.deepEqual(after, {
        funding: Math.round((before.funding + 0.5) * 100) / 100,
        publicity: before.publicity + 1,
        training: before.training + 1,
        drill: before.drill + 1,
        meeting: before.meeting + 1,
        quarterly: before.quarterly + 1,
        letter: before.letter + 1,
      }, `before: ${JSON.stringify(before)}`);

      // The meeting's decision is in its owner's to-do list, and leads to the meeting.
      const todo = page.locator('section').filter({ has: page.getByRole('heading', { name: '我的待办事项' }) });
      await go(todo.getByRole('link', { name: LEDGERS[4].item }));
      assert.equal(new URL(page.url()).pathname, `/ledgers/entries/${entries['安全生产工作会议']}`);

      // The drill's improvement item is marked done by its owner.
      await s.open(`/ledgers/entries/${entries['应急演练']}`);
      const drillItem = page.getByRole('row').filter({ hasText: LEDGERS[3].item });
      await go(drillItem.getByRole('button', { name: '标记完成' }));
      await page.getByRole('row').filter({ hasText: LEDGERS[3].item }).getByText('已完成').waitFor(WAIT);
      await check('drill item done', 'ledger-flow-02-drill-item-done');

      // Per-person hours, the drill board and the year's letters.
      assert.equal(await hoursOf(s, ME), Math.round((hoursBefore + 3.5) * 10) / 10, `${ME}'s training hours this year`);
      await check('training hours board', 'ledger-flow-03-hours');
      await s.open('/ledgers/boards/drills');
      const drillRow = page.locator('table.list tbody tr').filter({ has: page.locator(`td[data-label="单位"]:text-is("${UNIT}")`) });
      assert.equal((await drillRow.locator('td[data-label="最近现场处置方案演练"]').innerText()).trim(), today);
      await check('drill board', 'ledger-flow-04-drills');
      await s.open(`/ledgers/boards/letters?year=${year}`);
      const letterRow = page.locator('table.list tbody tr').filter({ has: page.locator(`td[data-label="单位"]:text-is("${UNIT}")`) });
      assert.equal((await letterRow.locator('td[data-label="签订日期"]').innerText()).trim(), today);
      await check('letters board', 'ledger-flow-05-letters');
    });
  });
});
