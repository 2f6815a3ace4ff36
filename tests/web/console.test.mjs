// End to end in headless Chromium (Debian's, driven by playwright-core):
// the dispatcher's console of the web map of `govgrid serve`. Four square
// grids with a roster; an incident submitted through Open311 at a place in
// grid 1001, of an item its grid's workers take, so it arrives dispatched.
// Through the page: a read key sees the console but no action buttons; a
// write key opens it and finds the incident in the list and on the map,
// green with the clock now; returns it (a reason), dispatches it again (a
// handler), feeds it back (a note), verifies and closes it with the
// console's buttons, the service's GET /v1/cases/{ID} agreeing after each;
// a second incident, opened with a clock (the `clock` URL parameter) past
// its deadline, is red in the list, on the map, in its detail, and its grid
// is coloured by the red-grids layer. Nothing may be fetched from elsewhere.
//   node console.test.mjs GOVGRID FIXTURES_DIR WORK_DIR
import { setup, check, serve, getter, report, launch, watch, checkNothingExternal, main } from './harness.mjs';

const { project, keys, fixture, run, newKey } = setup();
run('init', project, '--quiet');
run('import', project, 'households', fixture('square_households.csv'), '--quiet');
run('import', project, 'grids', fixture('square_grids.csv'), '--quiet');
run('import', project, 'workers', fixture('square_workers.csv'), '--quiet');
const writeKey = newKey('dispatcher', 'read,write');
const readKey = newKey('viewer', 'read');

const { base } = await serve(project, { keys });
const get = getter(base, readKey);
let browser;

async function submit(lat, lon, code, description) {
  const r = await report(base, writeKey, { lat, lon, code, description });
  const body = await r.json();
  check(r.status === 201, `incident ${code} stored through Open311 (${r.status})`);
  return body[0].service_request_id;
}
async function openConsole(page, key, query) {
  watch(page, base);
  await page.goto(base + '/' + (query || ''));
  await page.fill('#key', key);
  await page.press('#key', 'Enter');
  await page.waitForSelector('#console-open', { state: 'visible', timeout: 15000 });
  await page.click('#console-open');
  await page.waitForFunction(() => document.body.dataset.cases !== undefined, null, { timeout: 10000 });
}
const row = (page, id) => page.$(`#console-list tr.case[data-id="${id}"]`);
async function pickCase(page, id) {
  await page.click(`#console-list tr.case[data-id="${id}"]`);
  await page.waitForFunction((k) => document.body.dataset.case === k && !document.getElementById('case-detail').hidden,
                             String(id), { timeout: 5000 });
}
// Clicks the action's button and waits until the page shows the state the
// service answers.
async function act(page, id, action, to) {
  await page.click(`#case-actions button[data-action="${action}"]`);
  await page.waitForFunction(([k, s]) => document.body.dataset.case === k && document.body.dataset.caseState === s,
                             [String(id), to], { timeout: 5000 }).catch(() => {});
  const answer = await get(`/v1/cases/${id}`);
  const shown = await page.textContent('#case-state');
  check(answer.state === to && shown === { returned: '已退回', dispatched: '已派遣', fed_back: '已反馈', verified: '已核查', closed: '已结案' }[to],
        `${action}: the service says ${answer.state}, the page ${shown} (${(await page.textContent('#case-message')).trim()})`);
  return answer;
}

await main(async () => {
  const first = await submit(40.006, 116.006, 'AQ0102', 'fire+exit+blocked');
  const second = await submit(40.004, 116.004, 'AQ0102', 'another+exit');
  const listed = await get('/v1/cases');
  const one = listed.cases.find((c) => c.request_id === first);
  check(one && one.state === 'dispatched' && one.light === 'green' && one.grid_code === '1101080010011001',
        `the service lists incident ${first} dispatched, green, in grid 1001 (${one && [one.state, one.light, one.grid_code]})`);

  browser = await launch();

  // A read key: the list, no actions.
  const viewer = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await openConsole(viewer, readKey);
  check((await viewer.textContent('#console-open')) === '事件调度台', 'the menu offers 事件调度台');
  await pickCase(viewer, one.id);
  check(await viewer.isHidden('#case-actions'), 'a key without the write right is offered no actions');
  await viewer.close();

  // A write key, the clock now.
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await openConsole(page, writeKey);
  check(Number(await page.evaluate(() => document.body.dataset.cases)) === listed.count,
        `the console lists the service's ${listed.count} open incidents`);
  const tr = await row(page, one.id);
  check(tr && (await tr.getAttribute('class')).includes('light-green') && (await tr.textContent()).includes('绿灯') &&
        (await tr.textContent()).includes('已派遣'), `incident ${first} is listed as 已派遣 with a green light`);
  const marker = await page.$(`path.gg-case.case-${one.id}`);
  check(marker && (await marker.getAttribute('class')).includes('light-green'), 'its marker on the map is green');
  // Filtered by grid, item and state.
  await page.fill('#cf-grid', '1101080010011002');
  await page.click('#cf-apply');
  await page.waitForFunction(() => document.body.dataset.cases === '0', null, { timeout: 5000 });
  check(true, 'filtered by another grid, the list is empty');
  await page.fill('#cf-grid', '1101080010011001');
  await page.fill('#cf-item', 'AQ0102');
  await page.selectOption('#cf-state', 'dispatched');
  await page.click('#cf-apply');
  await page.waitForFunction((n) => document.body.dataset.cases === n, '2', { timeout: 5000 });
  check(true, 'filtered by grid 1001, item AQ0102 and 已派遣: both incidents');
  await page.selectOption('#cf-state', 'all');
  await page.fill('#cf-grid', ''); await page.fill('#cf-item', '');
  await page.click('#cf-apply');
  await page.waitForTimeout(300);

  // Its detail: handler, deadlines, level, history.
  await pickCase(page, one.id);
  const info = await page.textContent('#case-info');
  check(info.includes(one.handler) && info.includes('到场时限') && info.includes('办结时限') && info.includes('层级'),
        `the detail shows the handler ${one.handler}, the deadlines and the level (${info.slice(0, 100)})`);
  check((await page.textContent('#case-history')).includes('上报'), 'the history shows the report');
  const offered = await page.$$eval('#case-actions button[data-action]', (bs) => bs.filter((b) => b.offsetParent !== null).map((b) => b.dataset.action).sort());
  check(offered.join(',') === 'extend,feedback,return', `a dispatched incident offers return, extend, feedback (${offered.join(', ')})`);

  // Return, dispatch again, feed back, verify, close.
  await page.fill('#case-reason', '不属于本网格');
  await act(page, one.id, 'return', 'returned');
  await page.fill('#case-handler', 'F1');
  const dispatched = await act(page, one.id, 'dispatch', 'dispatched');
  check(dispatched.handler === 'F1', `dispatched to F1 (${dispatched.handler})`);
  await page.fill('#case-deadline', '2099-01-01T18:00:00+08:00');
  await page.check('#case-approve');
  await page.click('#case-actions button[data-action="extend"]');
  await page.waitForFunction(() => /延期/.test(document.getElementById('case-message').textContent), null, { timeout: 5000 }).catch(() => {});
  const extended = await get(`/v1/cases/${one.id}`);
  check(extended.deadline && extended.deadline.startsWith('2099-01-01'), `extended: the deadline is ${extended.deadline}`);
  await page.fill('#case-note', '已清理通道');
  await act(page, one.id, 'feedback', 'fed_back');
  await act(page, one.id, 'verify', 'verified');
  const closed = await act(page, one.id, 'close', 'closed');
  const actions = closed.history.map((e) => `${e.action}:${e.actor}`).join(',');
  check(actions === 'report:dispatcher,return:dispatcher,dispatch:dispatcher,extend:dispatcher,feedback:dispatcher,verify:dispatcher,close:dispatcher',
        `its history holds each action, the key's name as who (${actions})`);
  check((await page.$$eval('#case-history li', (ls) => ls.length)) === 7, 'the page shows the seven events');
  check((await page.getAttribute(`#console-list tr.case[data-id="${one.id}"]`, 'data-state')) === 'closed', 'the list shows it closed');
  await page.selectOption('#cf-state', 'open');
  await page.waitForFunction((n) => document.body.dataset.cases === n, String(listed.count - 1), { timeout: 5000 }).catch(() => {});
  check(!(await row(page, one.id)) && !(await page.$(`path.gg-case.case-${one.id}`)), 'closed, it leaves the open list and the map');
  await page.close();

  // The other incident, with a clock past its deadline: red.
  const other = (await get('/v1/cases')).cases.find((c) => c.request_id === second);
  const past = new Date(Date.parse(other.deadline) + 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const later = await get(`/v1/cases?at=${past}`);
  const red = later.cases.find((c) => c.request_id === second);
  check(red && red.light === 'red' && red.supervised_by && red.supervised_by.level === 1,
        `the service: at ${past} it is red, on level 1's supervision list (${red && red.light})`);
  const clocked = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await openConsole(clocked, writeKey, `?clock=${past}`);
  check((await clocked.textContent('#console-clock')).includes(past), `the console says its clock (${await clocked.textContent('#console-clock')})`);
  const redRow = await row(clocked, other.id);
  check(redRow && (await redRow.getAttribute('class')).includes('light-red') && (await redRow.textContent()).includes('红灯'),
        'with the clock past its deadline the list shows it red');
  const redMarker = await clocked.$(`path.gg-case.case-${other.id}`);
  check(redMarker && (await redMarker.getAttribute('class')).includes('light-red') &&
        (await redMarker.getAttribute('fill')) === '#d7191c', 'its marker is red');
  await pickCase(clocked, other.id);
  check((await clocked.getAttribute('#case-light', 'class')).includes('light-red') && (await clocked.textContent('#case-info')).includes('督办'),
        'its detail shows the red light and who supervises it');
  await clocked.check('#layers input[data-layer="redGrids"]');
  await clocked.waitForFunction(() => document.body.dataset.redGrids !== undefined, null, { timeout: 5000 });
  const redGrids = await clocked.evaluate(() => document.body.dataset.redGrids);
  check(redGrids === '1101080010011001:1', `the red-grids layer counts grid 1001's red incident (${redGrids})`);
  const fill = await clocked.evaluate(() => {
    const f = window.govgrid.gridLayer.get('1101080010011001');
    return f ? window.govgrid.gridLayer.options.style(f).fillColor : null;
  });
  check(fill === '#fb6a4a', `grid 1001 is filled red (${fill})`);
  await clocked.close();

  checkNothingExternal();
});
