// Browser test of duty (值班值守), through the pages as a unit's safety officer uses them, at a
// desktop and at a phone viewport:
//   1. officer1 generates a roster around a public holiday from two leaders and three officers:
//      the rotation is shown day by day; with the holiday's leader removed, 检查并发布 is refused
//      naming that day; with a leader again it publishes;
//   2. today on duty: the home page names today's leader; changing the shift on the roster changes it;
//   3. the duty log and the zero report: an entry is recorded and listed, a zero report is filed
//      and listed, and a second one for the same unit and day is refused in Chinese.
//
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectByText } from '../lib/anjian.mjs';
import {
  WAIT, addDays, field, forEachViewport, session, sharedEnv, todayShanghai,
} from '../lib/flow.mjs';

const UNIT = '市储备粮管理有限公司';
const LEADERS = [['王带班', '13900000001'], ['李带班', '13900000002']];
const OFFICERS = [['赵值班', '13700000001'], ['钱值班', '13700000002'], ['孙值班', '13700000003']];
const lines = (people) => people.map(([n, p]) => `${n} ${p}`).join('\n');

const env = sharedEnv();

/** The rows of the roster page's day table, by column label. */
async function rosterRows(page) {
  const rows = page.locator('table.list').first().locator('tbody tr');
  await rows.first().waitFor(WAIT);
  const out = [];
  for (const row of await rows.all()) {
    const cell = async (label) => (await row.locator(`td[data-label="${label}"]`).innerText()).replace(/\s+/g, ' ').trim();
    out.push({
      row,
      date: (await cell('日期')).slice(0, 10),
      leader: await cell('带班领导'),
      officers: await cell('值班人员'),
      note: await cell('备注'),
    });
  }
  return out;
}

/**
 * A public holiday of this year's calendar: the next one still to come, else the year's last.
 * Its roster (the day before to the day after) must not reach yesterday or today: a second
 * shift on duty now for the same unit would make step 2's “today on duty” ambiguous.
 */
async function pickHoliday(s) {
  await s.open('/duty/calendar');
  await s.page.getByRole('heading', { level: 1, name: /^节假日日历/ }).waitFor(WAIT);
  const rows = s.page.locator('table.list tbody tr');
  const holidays = [];
  for (const row of await rows.all()) {
    if ((await row.locator('td[data-label="类型"]').innerText()).trim() !== '放假') continue;
    const dates = (await row.locator('td[data-label="日期"]').innerText()).match(/\d{4}-\d{2}-\d{2}/g);
    holidays.push({ name: (await row.locator('td[data-label="节日"]').innerText()).trim(), first: dates[0] });
  }
  assert.ok(holidays.length > 0, 'the holiday calendar of this year lists no 放假 day');
  await s.check('holiday calendar', 'duty-flow-01-calendar');
  const today = todayShanghai();
  const clear = holidays.filter((h) => addDays(h.first, -1) > today || addDays(h.first, 1) < addDays(today, -1));
  assert.ok(clear.length > 0, `every holiday of this year touches today: ${JSON.stringify(holidays)}`);
  return clear.find((h) => h.first > today) || clear[clear.length - 1];
}

forEachViewport('duty roster, today on duty, duty log', { timeout: 120_000 }, (vp) => {
  const label = vp.phone ? '手机' : '电脑';

  test('1. a generated rotation; publishing is refused while a holiday has no leader on duty', async () => {
    await session(env, 'officer1', vp, 'duty-flow-1-roster', async (s) => {
      const { page, check, go } = s;
      const holiday = await pickHoliday(s);
      const first = addDays(holiday.first, -1);
      const last = addDays(holiday.first, 1);

      await s.menu('值班值守');
      await check('duty overview', 'duty-flow-02-overview');
      await go(page.getByRole('link', { name: '新建值班表' }));
      await selectByText(page.getByLabel('值班单位'), UNIT);
      const name = `${holiday.name}值班表（${label}端测试）`;
      await page.getByLabel(/^名称/).fill(name);
      await page.getByLabel(/^开始日期/).fill(first);
      await page.getByLabel(/^结束日期/).fill(last);
      await page.getByLabel('第1班开始时间').fill('08:30');
      await page.getByLabel('第1班时长（小时）').fill('24');
      await page.getByLabel(/^带班领导名单/).fill(lines(LEADERS));
      await page.getByLabel(/^值班人员名单/).fill(lines(OFFICERS));
      await page.getByLabel('每日值班人数').fill('1');
      await check('new roster form', 'duty-flow-03-roster-form');
      await go(page.getByRole('button', { name: '生成值班表' }));
      assert.match(new URL(page.url()).pathname, /^\/duty\/rosters\/\d+$/, `generating should open the roster, got ${page.url()}`);
      const rosterPath = new URL(page.url()).pathname;
      await page.getByRole('heading', { level: 1, name: new RegExp(name.replace(/[()（）]/g, '.')) }).getByText('草稿').waitFor(WAIT);

      // The rotation: leaders take turns day by day, officers likewise.
      let days = await rosterRows(page);
      assert.deepEqual(days.map((d) => d.date), [first, holiday.first, last]);
      assert.deepEqual(days.map((d) => d.leader), [LEADERS[0], LEADERS[1], LEADERS[0]].map((p) => p.join(' ')));
      assert.deepEqual(days.map((d) => d.officers), OFFICERS.map((p) => p.join(' ')));
      assert.ok(days[1].note.includes(holiday.name) && days[1].note.includes('须带班'),
        `the holiday row should be marked as ${holiday.name} and 须带班, got “${days[1].note}”`);
      await check('generated roster', 'duty-flow-04-roster-draft');

      // Remove the holiday's leader.
      await go(days[1].row.getByRole('link', { name: '调整' }));
      await page.getByRole('heading', { level: 1, name: `调整值班：${holiday.first}`, exact: false }).waitFor(WAIT);
      await page.getByLabel('带班领导', { exact: true }).fill('');
      await page.getByLabel('带班领导电话').fill('');
      await check('shift form', 'duty-flow-05-shift-form');
      await go(page.getByRole('button', { name: '保存' }));
      assert.equal(new URL(page.url()).pathname, rosterPath);
      days = await rosterRows(page);
      assert.equal(days[1].leader, '须安排带班领导');

      // The coverage check refuses, naming the day.
      await go(page.getByRole('button', { name: '检查并发布' }));
      s.refused(409);
      const alert = page.getByRole('alert');
      await alert.waitFor(WAIT);
      assert.equal((await alert.innerText()).trim(), `以下节假日或重要时段日期没有带班领导，不能发布：${holiday.first}`);
      await page.getByRole('heading', { level: 1 }).getByText('草稿').waitFor(WAIT);
      await check('publishing refused', 'duty-flow-06-refused');

      // A leader again, and it publishes.
      await go((await rosterRows(page))[1].row.getByRole('link', { name: '调整' }));
      await page.getByLabel('带班领导', { exact: true }).fill(LEADERS[1][0]);
      await page.getByLabel('带班领导电话').fill(LEADERS[1][1]);
      await go(page.getByRole('button', { name: '保存' }));
      await go(page.getByRole('button', { name: '检查并发布' }));
      await page.getByRole('heading', { level: 1 }).getByText('已发布').waitFor(WAIT);
      assert.equal(await page.getByRole('button', { name: '检查并发布' }).count(), 0, 'a published roster offers no publishing');
      assert.equal((await rosterRows(page))[1].leader, LEADERS[1].join(' '));
      await check('roster published', 'duty-flow-07-published');

      // Listed as published on the overview.
      await s.open('/duty');
      const listed = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
      await listed.getByText('已发布').waitFor(WAIT);
    });
  });

  test('2. the home page names today’s leader on duty, as the roster says', async () => {
    await session(env, 'officer1', vp, 'duty-flow-2-today', async (s) => {
      const { page, check, go } = s;
      // The 今日值班 block lists each shift with its label; the one on duty now is tagged 值班中
      // (before 08:30 yesterday's 24-hour shift, with today's listed after it as 未开始).
      const onDuty = () => page.locator('section')
        .filter({ has: page.getByRole('heading', { name: '今日值班' }) })
        .locator('li').filter({ hasText: '值班中' }).first();
      const today = onDuty().getByRole('link', { name: new RegExp(`^${UNIT} · .*起 24 小时$`) });
      await today.waitFor(WAIT);
      await check('home with today on duty', 'duty-flow-08-home');

      // The shift on duty now (yesterday's 24-hour shift until it hands over) per the overview.
      await s.open('/duty');
      const current = page.locator('section').filter({ has: page.getByRole('heading', { name: '当前值班' }) });
      const unitLine = await field(current, '单位');
      assert.ok(unitLine.startsWith(UNIT), `当前值班 should name ${UNIT}, got ${unitLine}`);
      const day = unitLine.match(/\d{4}-\d{2}-\d{2}/)[0];

      // Change that shift's leader on the roster the home page links to.
      await s.open('/');
      await go(today);
      const row = (await rosterRows(page)).find((d) => d.date === day);
      assert.ok(row, `the roster the home page links to has no row for ${day}`);
      await go(row.row.getByRole('link', { name: '调整' }));
      const leader = vp.phone ? '冯带班' : '韩带班';
      const phone = vp.phone ? '13900000009' : '13900000008';
      await page.getByLabel('带班领导', { exact: true }).fill(leader);
      await page.getByLabel('带班领导电话').fill(phone);
      await go(page.getByRole('button', { name: '保存' }));
      assert.equal((await rosterRows(page)).find((d) => d.date === day).leader, `${leader} ${phone}`);

      await s.open('/');
      const line = (await onDuty().innerText()).replace(/\s+/g, ' ');
      assert.ok(line.includes(`带班领导 ${leader} ${phone}`), `今日值班 should name ${leader} ${phone}, got ${line}`);
      await check('home after the change', 'duty-flow-09-home-changed');
    });
  });

  test('3. a duty log entry and a zero report are recorded; a second zero report is refused', async () => {
    await session(env, 'officer1', vp, 'duty-flow-3-log', async (s) => {
      const { page, check, go } = s;
      await s.menu('值班值守');
      await go(page.getByRole('link', { name: '填写值班日志、零报告' }));
      await check('duty log page', 'duty-flow-10-logs');

      const event = `${label}端测试：22:00 巡查库区，5号仓门窗关闭，温湿度正常`;
      const log = page.locator('form').filter({ has: page.getByRole('heading', { name: '记录值班情况' }) });
      await selectByText(log.getByLabel('单位'), UNIT);
      await log.getByLabel('类型').selectOption('entry');
      await log.getByLabel(/^事件 \/ 交接事项/).fill(event);
      await log.getByLabel('处理情况').fill('无异常，已记录');
      await log.getByLabel('已告知（领导、部门）').fill('带班领导');
      await go(log.getByRole('button', { name: '记录' }));
      const logRow = page.getByRole('row').filter({ hasText: event });
      await logRow.waitFor(WAIT);
      assert.equal((await logRow.locator('td[data-label="类型"]').innerText()).trim(), '值班记录');
      assert.equal((await logRow.locator('td[data-label="记录人"]').innerText()).trim(), '周安全员');
      await check('duty log recorded', 'duty-flow-11-logged');

      // Each viewport files for its own day, so that the two runs do not collide.
      const day = addDays(todayShanghai(), vp.phone ? -1 : 0);
      const note = `${label}端测试：当日无安全生产事故和突发事件`;
      const zero = () => page.locator('form').filter({ has: page.getByRole('heading', { name: '报送零报告' }) });
      await selectByText(zero().getByLabel('单位'), UNIT);
      await zero().getByLabel('报告日期').fill(day);
      await zero().getByLabel('说明').fill(note);
      await go(zero().getByRole('button', { name: '报送零报告' }));
      const zeroRow = page.getByRole('row').filter({ hasText: note });
      await zeroRow.waitFor(WAIT);
      assert.equal((await zeroRow.locator('td[data-label="日期"]').innerText()).trim(), day);
      assert.equal((await zeroRow.locator('td[data-label="单位"]').innerText()).trim(), UNIT);

      // The same unit and day again: refused, said in Chinese, nothing added.
      await selectByText(zero().getByLabel('单位'), UNIT);
      await zero().getByLabel('报告日期').fill(day);
      await go(zero().getByRole('button', { name: '报送零报告' }));
      s.refused(409);
      await page.getByText('该单位当日已报送零报告').first().waitFor(WAIT);
      await check('duplicate zero report refused', 'duty-flow-12-zero-refused');
    });
  });
});
