// End to end in headless Chromium (Debian's, driven by playwright-core):
// editing a plan on the web map of `govgrid serve`. Four square grids with
// households and a roster, plan 1 published; a key with the plan right.
// Through the page: the edit mode offered to that key only; a grid picked
// (households, area, workers, neighbours); a split along a line drawn by
// clicks and a double-click, its dry run (the pieces' households and the
// rule checks) shown before saving, saved with a note as draft 2, which the
// plan selector then shows; a merge with a clicked neighbour saved as draft
// 3; a street block of 1002 (a lane cuts it) moved to the split's new piece,
// picked from the block list the page shows, saved as draft 4; the diff
// against the published plan, whose numbers must be those of `govgrid diff
// --json` on the same project, with the changed grids outlined;
// publishing, after which /healthz names plan 4 and /v1/locate answers a
// point in the split's new piece, and one in the moved block, with the
// piece's new code. The phone layout of the editor. Nothing may be fetched
// from elsewhere.
//   node edit.test.mjs GOVGRID FIXTURES_DIR WORK_DIR
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setup, check, serve, getter, launch, watch, checkNothingExternal, main } from './harness.mjs';

const { work, project, keys, fixture, run, newKey } = setup();
run('init', project, '--quiet');
run('import', project, 'households', fixture('square_households.csv'), '--quiet');
run('import', project, 'grids', fixture('square_grids.csv'), '--quiet');
run('import', project, 'workers', fixture('square_workers.csv'), '--quiet');
// A lane across 1002 from south to north: its two street blocks.
const road = path.join(work, 'lane.geojson');
writeFileSync(road, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature',
  properties: { id: 'lane-1', class: 'residential', name: '东巷' },
  geometry: { type: 'LineString', coordinates: [[116.017, 39.999], [116.017, 40.011]] } }] }));
run('import', project, 'roads', road, '--quiet');
run('plan', 'publish', project, '1', '--quiet');
const planKey = newKey('planner', 'read,plan');
const readKey = newKey('viewer', 'read');

const { base } = await serve(project, { keys });
const get = getter(base, readKey);
let browser;

// Clicks the map at lon, lat (dbl: a double-click).
async function clickAt(page, lon, lat, dbl) {
  const p = await page.evaluate(([x, y]) => {
    const m = window.govgrid.map, pt = m.latLngToContainerPoint([y, x]), r = m.getContainer().getBoundingClientRect();
    return { x: r.left + pt.x, y: r.top + pt.y };
  }, [lon, lat]);
  if (dbl) await page.mouse.dblclick(p.x, p.y);
  else await page.mouse.click(p.x, p.y);
  await page.waitForTimeout(dbl ? 400 : 150);
}
const attr = (page, name) => page.evaluate((n) => document.body.dataset[n] || '', name);
// Waits for the page to show n grids; on a timeout, says what the page
// showed instead (the grid count, the status line, the banner).
async function waitGrids(page, n, what) {
  try {
    await page.waitForFunction((k) => document.body.dataset.grids === k, String(n), { timeout: 30000 });
  } catch (e) {
    const seen = await page.evaluate(() => ({ grids: document.body.dataset.grids, status: (document.getElementById('status') || {}).textContent,
                                              banner: (document.getElementById('banner-text') || {}).textContent, plan: (window.govgrid || {}).state && window.govgrid.state.plan }));
    throw new Error(`${what}: ${n} grids not shown in 30 s (${JSON.stringify(seen)})`);
  }
}

await main(async () => {
  browser = await launch();
  // A read key: no edit mode.
  const viewer = watch(await browser.newPage({ viewport: { width: 1100, height: 800 } }), base);
  await viewer.goto(base + '/');
  await viewer.fill('#key', readKey);
  await viewer.press('#key', 'Enter');
  await waitGrids(viewer, 4, 'the read key\'s map');
  await viewer.waitForTimeout(300);
  check(await viewer.isHidden('#edit-open'), 'a key without the plan right is offered no editing');
  await viewer.close();

  const page = watch(await browser.newPage({ viewport: { width: 1400, height: 900 } }), base);
  await page.goto(base + '/');
  await page.fill('#key', planKey);
  await page.press('#key', 'Enter');
  await waitGrids(page, 4, 'the plan key\'s map');
  await page.waitForSelector('#edit-open', { state: 'visible', timeout: 5000 });
  check((await page.textContent('#edit-open')) === '编辑方案', 'the plan key is offered 编辑方案');
  await page.click('#edit-open');
  check(await page.isVisible('#editor'), 'the editor opens');
  // The grids to the right of the editor's panel.
  await page.evaluate(() => window.govgrid.map.setView([40.01, 116.0015], 15, { animate: false }));
  await page.waitForTimeout(500);

  // Pick the south-west grid: households, area, workers, neighbours.
  await clickAt(page, 116.002, 40.005);
  await page.waitForFunction(() => document.body.dataset.editGrid === '1101080010011001', null, { timeout: 5000 });
  const info = await page.textContent('#editor-grid');
  check(info.includes('1101080010011001') && info.includes('200') && info.includes('张伟'),
        `the picked grid shows its code, 200 households and its workers (${info.slice(0, 120)})`);
  const neighbours = await page.$$eval('#editor-grid button.neighbour', (bs) => bs.map((b) => b.dataset.code).sort());
  check(neighbours.join(',') === '1101080010011002,1101080010011003',
        `its neighbours are 1002 and 1003 (${neighbours.join(', ')})`);

  // Split along a line drawn by clicks, ended by a double-click.
  await page.click('#edit-split');
  await clickAt(page, 116.005, 39.998);
  await clickAt(page, 116.005, 40.0125, true);
  await page.waitForFunction(() => document.body.dataset.editTried, null, { timeout: 10000 });
  check(await attr(page, 'editTried') === 'ok', 'the split is tried (dry run) before saving');
  const pieces = await page.$$eval('#editor-preview table.pieces tr', (rows) =>
    rows.map((r) => ({ code: r.dataset.code, hh: r.querySelector('.hh').textContent })));
  const byCode = Object.fromEntries(pieces.map((p) => [p.code, p.hh]));
  const newCode = pieces.map((p) => p.code).find((c) => c !== '1101080010011001' && c !== '1101080010011003');
  check(byCode['1101080010011001'] === '120' && newCode && byCode[newCode] === '80',
        `the preview shows the pieces' households: 1001 120, ${newCode} 80 (${JSON.stringify(byCode)})`);
  const checks = await page.textContent('#editor-preview .checks');
  check(/低于下限|under_min|under the minimum/.test(checks), `the rule checks are shown (${checks.trim().slice(0, 100)})`);
  check(Number(run('plans', project, '--json').length) > 0 && JSON.parse(run('plans', project, '--json')).length === 1,
        'the dry run saved nothing');
  await page.fill('#edit-note', '沿巷道切分');
  await page.click('#edit-save');
  await page.waitForFunction(() => document.body.dataset.editSaved === '2', null, { timeout: 10000 });
  await page.waitForFunction(() => document.body.dataset.grids === '5', null, { timeout: 10000 });
  check(await page.inputValue('#plan') === '2', 'the new draft 2 is the plan shown in the selector');
  const plan2 = JSON.parse(run('plan', 'show', project, '2', '--json'));
  check(JSON.stringify(plan2).includes('沿巷道切分'), 'draft 2 carries the note');

  // Merge the west piece with its northern neighbour, clicked on the map.
  await page.evaluate(() => { delete document.body.dataset.editTried; });
  await clickAt(page, 116.002, 40.005);
  await page.waitForFunction(() => document.body.dataset.editGrid === '1101080010011001', null, { timeout: 5000 });
  await page.click('#edit-merge');
  await clickAt(page, 116.003, 40.015);
  await page.waitForFunction(() => document.body.dataset.editTried, null, { timeout: 10000 });
  const merged = await page.$$eval('#editor-preview table.pieces tr', (rows) =>
    rows.map((r) => ({ code: r.dataset.code, hh: r.querySelector('.hh').textContent, change: r.children[1].textContent })));
  check(await attr(page, 'editTried') === 'ok' && merged.some((r) => r.code === '1101080010011001' && r.hh === '180'),
        `the merge is tried: 1001 would hold 120 + 60 = 180 (${JSON.stringify(merged)})`);
  await page.click('#edit-save');
  await page.waitForFunction(() => document.body.dataset.editSaved === '3', null, { timeout: 10000 });
  await page.waitForFunction(() => document.getElementById('plan').value === '3', null, { timeout: 10000 }).catch(() => {});
  check(await page.inputValue('#plan') === '3', 'draft 3 is shown');

  // Move the lane's west block of 1002 (150 households) to the split's new
  // piece, from the block list.
  await page.evaluate(() => { delete document.body.dataset.editTried; });
  await clickAt(page, 116.0185, 40.003);
  await page.waitForFunction(() => document.body.dataset.editGrid === '1101080010011002', null, { timeout: 5000 });
  await page.click('#edit-move');
  await page.waitForFunction(() => document.body.dataset.editBlocks === '2', null, { timeout: 10000 });
  const blocks = await page.$$eval('#editor-preview table.blocks tr.block', (rows) =>
    rows.map((r) => ({ id: r.dataset.block, hh: r.querySelector('.hh').textContent,
                       to: Array.from(r.querySelectorAll('button.block-to')).map((b) => b.dataset.code) })));
  const westBlock = blocks.find((b) => b.hh === '150');
  check(blocks.length === 2 && westBlock && westBlock.to.includes(newCode),
        `the page lists 1002's two blocks, the west one (150 households) next to ${newCode} (${JSON.stringify(blocks)})`);
  await page.click(`#editor-preview button.block-to[data-block="${westBlock.id}"][data-code="${newCode}"]`);
  await page.waitForFunction(() => document.body.dataset.editTried, null, { timeout: 10000 });
  const moved = await page.$$eval('#editor-preview table.pieces tr', (rows) =>
    rows.map((r) => ({ code: r.dataset.code, hh: r.querySelector('.hh').textContent })));
  check(await attr(page, 'editTried') === 'ok' && moved.some((r) => r.code === newCode && r.hh === '230') &&
        moved.some((r) => r.code === '1101080010011002' && r.hh === '0'),
        `the move is tried: ${newCode} would hold 80 + 150 = 230, 1002 none (${JSON.stringify(moved)})`);
  await page.fill('#edit-note', '东巷以西划入');
  await page.click('#edit-save');
  await page.waitForFunction(() => document.body.dataset.editSaved === '4', null, { timeout: 10000 });
  await page.waitForFunction(() => document.getElementById('plan').value === '4', null, { timeout: 10000 }).catch(() => {});
  check(await page.inputValue('#plan') === '4', 'draft 4 is shown');
  const blocksGone = await page.evaluate(() => document.querySelectorAll('.block-label').length);
  check(blocksGone === 0, `the block outlines are gone once saved (${blocksGone} left)`);

  // The diff against the published plan, as govgrid diff --json says.
  await page.click('#edit-diff');
  await page.waitForFunction(() => document.body.dataset.diff === '1/4', null, { timeout: 10000 });
  const shown = await page.$$eval('#editor-diff [data-count]', (tds) => Object.fromEntries(tds.map((d) => [d.dataset.count, Number(d.textContent)])));
  const cli = JSON.parse(run('diff', project, '1', '4', '--json'));
  const want = { added: cli.grids.added, retired: cli.grids.retired, reshaped: cli.grids.reshaped, unchanged: cli.grids.unchanged,
                 householdsMoved: cli.households.moved, householdsTotal: cli.households.total };
  check(JSON.stringify(shown) === JSON.stringify(want), `the diff panel's numbers are govgrid diff's (${JSON.stringify(shown)} vs ${JSON.stringify(want)})`);
  const changedCli = cli.grid_changes.filter((c) => c.change !== 'unchanged').map((c) => c.code).sort();
  const rowsShown = await page.$$eval('#editor-diff table.changes tr', (rows) => rows.map((r) => r.dataset.code).sort());
  check(rowsShown.join(',') === changedCli.join(','), `the panel lists the changed grids (${rowsShown.join(', ')})`);
  const outlined = await page.evaluate(() => Object.keys(window.govgrid.state.highlight || {}).sort());
  check(outlined.join(',') === changedCli.join(','), `the changed grids are outlined on the map (${outlined.join(', ')})`);
  await page.waitForTimeout(300);
  const drawnOutlines = await page.evaluate(() => window.govgrid.gridLayer.drawn().filter((d) => d.weight === 4).map((d) => d.key).sort());
  const drawnChanged = changedCli.filter((c) => c !== '1101080010011003'); // retired: not in plan 4
  check(drawnOutlines.join(',') === drawnChanged.join(','), `the grid layer paints their outlines (${drawnOutlines.join(', ')})`);

  // Publish through the page: the service switches to plan 4.
  const before = await get('/v1/locate?lon=116.008&lat=40.005');
  check(before.grid_code === '1101080010011001', `before publishing, the east half is in 1001 (${before.grid_code})`);
  await page.click('#edit-publish');
  await page.waitForFunction(() => document.body.dataset.published === '4', null, { timeout: 20000 })
    .catch((e) => page.textContent('#editor').then((text) => { throw new Error(e.message + ': ' + text); }));
  let health = await get('/healthz');
  for (let i = 0; i < 20 && health.plan !== 4; i++) { await new Promise((r) => setTimeout(r, 250)); health = await get('/healthz'); }
  check(health.plan === 4 && health.plan_state === 'published', `/healthz serves the published plan 4 (${health.plan}, ${health.plan_state})`);
  const after = await get('/v1/locate?lon=116.008&lat=40.005');
  check(after.grid_code === newCode && after.plan === 4, `/v1/locate answers the split's new piece ${newCode} from plan 4 (${after.grid_code}, plan ${after.plan})`);
  const inBlock = await get('/v1/locate?lon=116.015&lat=40.005');
  check(inBlock.grid_code === newCode, `a point of the moved block answers ${newCode} (${inBlock.grid_code})`);
  const west = await get('/v1/locate?lon=116.002&lat=40.015');
  check(west.grid_code === '1101080010011001', `a point of the merged grid answers 1001 (${west.grid_code})`);
  check(JSON.parse(run('plans', project, '--json')).find((p) => p.id === 4).state === 'published', 'the store has plan 4 published');

  // English.
  await page.click('#lang');
  check((await page.textContent('#editor-close')) === 'Stop editing', 'the editor speaks English after the switch');
  await page.click('#lang');
  await page.close();

  // The editor on a phone: a sheet at the bottom, inside the screen.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const mobile = watch(await phone.newPage(), base);
  await mobile.goto(base + '/');
  await mobile.tap('#menu-button');
  await mobile.fill('#key', planKey);
  await mobile.press('#key', 'Enter');
  await waitGrids(mobile, 4, 'the phone\'s map');
  await mobile.waitForSelector('#edit-open', { state: 'visible', timeout: 5000 });
  await mobile.tap('#edit-open');
  const sheet = await mobile.$eval('#editor', (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; });
  check(sheet[0] >= 0 && sheet[2] <= 390 && sheet[3] <= 844 && sheet[1] >= 844 * 0.5,
        `on a phone the editor is a sheet in the lower half (${sheet.map(Math.round).join(', ')})`);
  const buttons = await mobile.$$eval('#editor button', (bs) => bs.filter((b) => b.offsetParent !== null)
    .map((b) => { const r = b.getBoundingClientRect(); return [b.id, r.right - r.left, r.bottom - r.top, r.left, r.right]; }));
  check(buttons.every((b) => b[2] >= 40 && b[3] >= 0 && b[4] <= 390), `its buttons are 40 px touch targets inside the screen (${buttons.map((b) => b[0]).join(', ')})`);
  await phone.close();

  checkNothingExternal();
});
