// Browser test of the summary (安全生产工作总结) written from the records, at a desktop and at a
// phone viewport: supervisor generates the demo's 2023H1 summary on /reports; the figures are the
// seed's (安全检查80次, 检查覆盖企业62家, 一般隐患106项, 宣传/培训/演练 16/15/11 场); every figure
// that counts records links to a list of exactly that many records; the Word download is a valid
// DOCX whose document.xml carries the title and the same sentences.
//
// Run: cd e2e && ANJIAN_BIN=../target/release/anjian bash run.sh

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { WAIT, forEachViewport, session, sharedEnv } from '../lib/flow.mjs';
import { docxText, readZip } from '../lib/zip.mjs';

const TITLE = '某市粮食和物资储备局2023年上半年安全生产工作总结';
// The seed document's figures for 2023 H1 (../shared/DOMAIN.md), which the demo reproduces.
const SEED = {
  inspections: '80',
  inspected_orgs: '62',
  hazards_general_found: '106',
  publicity_events: '16',
  trainings: '15',
  drills: '11',
  funding: '11.93',
};
const SENTENCES = [
  '共计开展安全检查80次，检查覆盖企业62家，排查一般安全隐患问题106项，已全部完成整改',
  '累计开展宣传活动16场，培训活动15场，应急演练11场',
];

const env = sharedEnv();

/** The figure key of a link: `figure=` for the statistics' lists, else the ledger's segment. */
function figureKey(href) {
  const u = new URL(href, 'http://x');
  return u.searchParams.get('figure') || u.pathname;
}

/** How many records the list page shown says it holds (“共 N 条记录” or the pager's “共 N 条”). */
async function listedTotal(page) {
  const text = await page.locator('main').innerText();
  const m = /共\s*(\d+)\s*条/.exec(text);
  assert.ok(m, `${page.url()} states no total:\n${text.slice(0, 400)}`);
  return Number(m[1]);
}

forEachViewport('summary report', { timeout: 120_000 }, (vp) => {
  const flow = { figures: [], article: '' };

  test('1. supervisor generates the 2023H1 summary; it states the seed’s figures', async () => {
    await session(env, 'supervisor', vp, 'report-flow-1-generate', async (s) => {
      const { page, check, go } = s;
      await s.menu('工作总结');
      await check('report page before generating', 'report-flow-01-empty');
      await page.getByLabel('总结期间').fill('2023H1');
      await go(page.getByRole('button', { name: '生成' }));
      const title = page.locator('article h2.report-title');
      await title.waitFor(WAIT);
      assert.equal((await title.innerText()).trim(), TITLE);
      flow.article = (await page.locator('article').innerText()).replace(/\s+/g, '');
      for (const sentence of SENTENCES) {
        assert.ok(flow.article.includes(sentence), `the summary should say “${sentence}”:\n${flow.article}`);
      }
      // The figures are links to their records (underlined numbers).
      const links = page.locator('article a.figure');
      flow.figures = [];
      for (const a of await links.all()) {
        flow.figures.push({ text: (await a.innerText()).trim(), href: await a.getAttribute('href') });
      }
      const byKey = Object.fromEntries(flow.figures.map((f) => [figureKey(f.href), f.text]));
      assert.equal(byKey.inspections, SEED.inspections, `figures: ${JSON.stringify(byKey)}`);
      assert.equal(byKey.inspected_orgs, SEED.inspected_orgs);
      assert.equal(byKey.hazards_general_found, SEED.hazards_general_found);
      assert.equal(byKey['/ledgers/publicity'], SEED.publicity_events);
      assert.equal(byKey['/ledgers/training'], SEED.trainings);
      assert.equal(byKey['/ledgers/drills'], SEED.drills);
      assert.equal(byKey['/ledgers/funding'], SEED.funding);
      await check('summary generated', 'report-flow-02-summary');
    });
  });

  test('2. each counting figure links to exactly the records it counts', async (t) => {
    assert.ok(flow.figures.length > 0, 'step 1 found no figure links');
    await session(env, 'supervisor', vp, 'report-flow-2-figures', async (s) => {
      const { page, check } = s;
      // Whole numbers count records; money (万元) and rates (%) are sums and ratios.
      const counting = flow.figures.filter((f) => /^\d+$/.test(f.text) && !f.href.startsWith('/ledgers/funding'));
      assert.ok(counting.some((f) => figureKey(f.href) === 'inspections'), 'the inspections figure is not linked');
      const mismatches = [];
      for (const f of counting) {
        await s.open(f.href);
        const total = await listedTotal(page);
        if (total !== Number(f.text)) mismatches.push(`${figureKey(f.href)}: the summary says ${f.text}, ${f.href} lists ${total}`);
        await check(`records of ${figureKey(f.href)}`);
      }
      assert.deepEqual(mismatches, [], 'figures that differ from the records they link to');
      t.diagnostic(`figures matched to their records: ${counting.map((f) => `${figureKey(f.href)}=${f.text}`).join(' ')}`);

      // One of them followed by a click, as a reader would: the inspections.
      await s.open('/reports?period=2023H1');
      const inspections = page.locator('article a.figure[href*="figure=inspections"]').first();
      await s.go(inspections);
      assert.equal(await listedTotal(page), Number(SEED.inspections));
      await page.getByRole('heading', { level: 1, name: /安全检查/ }).waitFor(WAIT);
      await check('inspection records of the summary', 'report-flow-03-inspections');
    });
  });

  test('3. the Word download is a DOCX with the title and the figures', async () => {
    await session(env, 'supervisor', vp, 'report-flow-3-docx', async (s) => {
      const { page } = s;
      await s.open('/reports?period=2023H1');
      await s.check('summary page');
      // (A download aborts the navigation: the browser records it as a failed request.)
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: '下载 Word（公文格式）' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `${TITLE}.docx`);
      const bytes = fs.readFileSync(await download.path());
      assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'a DOCX is a zip archive');
      const zip = readZip(bytes);
      for (const part of ['[Content_Types].xml', '_rels/.rels', 'word/document.xml']) {
        assert.ok(zip.has(part), `the DOCX lacks ${part}; it has ${[...zip.keys()].join(', ')}`);
      }
      const text = docxText(zip.get('word/document.xml').toString('utf8'));
      const lines = text.split('\n');
      assert.ok(lines.includes(TITLE), `the title is not a paragraph of its own:\n${text.slice(0, 600)}`);
      const flat = text.replace(/\s+/g, '');
      for (const sentence of SENTENCES) {
        assert.ok(flat.includes(sentence), `the DOCX should say “${sentence}”`);
      }
    });
  });
});
