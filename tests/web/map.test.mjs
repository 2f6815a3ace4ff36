// End to end in headless Chromium (Debian's, driven by playwright-core): the
// web map of `govgrid serve` on four square grids with a roster and two
// incidents. Checks the Chinese interface and its English switch, that Enter
// submits the key, the grids and incidents drawn and coloured from the
// palette (the grid layer's canvas read back at each grid's label point),
// the grid layer's hit test, hover and the selected grid's highlight, a view
// seen before drawn again without a request or decoding, grid labels that
// never overlap, a click that locates the point and shows its grid and
// workers, the phone layout at 390x844 (every control
// inside the screen, none covering another) and locate-me; and, where the
// service has them (else "skipped: route not available"), the basemap tiles
// under the grids, search by code and by GCJ-02 coordinates, the plan
// selector and the dedup conflicts. Nothing may be fetched from elsewhere.
//   node map.test.mjs GOVGRID FIXTURES_DIR WORK_DIR
import { writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { setup, check, skip, serve, getter, report, launch, watch, checkNothingExternal, main } from './harness.mjs';

const { work, project, keys, fixture, run, newKey } = setup();
run('init', project, '--quiet');
run('import', project, 'grids', fixture('square_grids.csv'), '--quiet');
run('import', project, 'grids', fixture('square_grids.csv'), '--quiet'); // plan 2, the newest
run('import', project, 'workers', fixture('square_workers.csv'), '--quiet');
run('import', project, 'dept-grids', fixture('square_dept_grids.csv'), '--quiet');
const key = newKey('web', 'read,write');

const { base } = await serve(project, { keys });
let browser;
const has = async (route) => (await fetch(base + route, { headers: { 'X-API-Key': key } })).status !== 404;
// Boxes of the visible elements matching a selector, in page coordinates.
const boxes = (page, sel) => page.$$eval(sel, (els) => els.filter((e) => e.offsetParent !== null || e.getClientRects().length)
  .map((e) => { const r = e.getBoundingClientRect(); return { id: e.id || e.className || e.tagName, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; })
  .filter((r) => r.x1 > r.x0 && r.y1 > r.y0));
const overlaps = (a, b) => a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
function overlapping(list) {
  const out = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) if (overlaps(list[i], list[j])) out.push(`${list[i].id} × ${list[j].id}`);
  return out;
}
async function labelsApart(page, what) {
  const labels = await boxes(page, '.gg-label');
  const bad = overlapping(labels);
  check(labels.length > 0 && bad.length === 0, `${what}: ${labels.length} labels, none overlapping ${bad.slice(0, 3).join(', ')}`);
  return labels;
}
const viewCount = (page) => page.evaluate(() => Number(document.body.dataset.view || 0));
async function settle(page, before) {
  await page.waitForFunction((n) => Number(document.body.dataset.view || 0) > n, before, { timeout: 10000 });
}
// The named project (communities with Chinese names, roads, units,
// addresses, departmental grids) served with --dedup: community names
// labelled apart from every other label, search by a name landing in the
// grid the service names, the conflict layer showing dedup's conflicts.
async function placesStage() {
  const places = path.join(work, 'places.sqlite');
  const dedupDir = path.join(work, 'places-dedup');
  run('init', places, '--quiet');
  for (const [layer, file] of [['divisions', 'places_divisions.csv'], ['roads', 'places_roads.csv'], ['units', 'places_units.csv'],
                               ['households', 'places_households.csv'], ['grids', 'places_grids.csv'],
                               ['workers', 'square_workers.csv'], ['dept-grids', 'square_dept_grids.csv']])
    run('import', places, layer, fixture(file), '--quiet');
  run('dedup', places, '-o', dedupDir, '--quiet');
  const second = await serve(places, { keys, args: ['--dedup', dedupDir], timeout: 15000, name: 'the places service' });
  const sbase = second.base;
  const get = getter(sbase, key);
  const page = watch(await browser.newPage({ viewport: { width: 900, height: 700 } }), sbase);
  try {
    await page.goto(sbase + '/');
    await page.fill('#key', key);
    await page.press('#key', 'Enter');
    await page.waitForFunction(() => Number(document.body.dataset.grids || 0) > 0, null, { timeout: 15000 });
    const communities = (await get('/v1/communities?zoom=14')).features.filter((f) => f.properties.level === 'community');
    const names = communities.map((f) => f.properties.name);
    let shown = [];
    for (const z of [15, 14, 16]) {
      await page.evaluate((zoom) => window.govgrid.map.setZoom(zoom), z);
      await page.waitForTimeout(800);
      const texts = await page.$$eval('.gg-label', (els) => els.map((e) => e.textContent));
      shown = names.filter((n) => texts.some((t) => t.includes(n)));
      if (shown.length) { await labelsApart(page, `zoom ${z} with community names`); break; }
    }
    check(shown.length > 0, `a Chinese community name is labelled (${shown.join(', ') || 'none of ' + names.join(', ')})`);
    // Search by a name: the page lands in the grid the service names.
    const q = names[0];
    const expected = (await get('/v1/search?q=' + encodeURIComponent(q) + '&limit=1'))[0];
    await page.selectOption('#crs', 'wgs84');
    await page.fill('#search', q);
    await page.waitForSelector('#results li[data-index]', { timeout: 5000 });
    await page.press('#search', 'Enter');
    await page.waitForFunction(() => document.body.dataset.picked, null, { timeout: 10000 });
    const picked = await page.evaluate(() => document.body.dataset.picked);
    const located = await get(`/v1/locate?lon=${expected.lon}&lat=${expected.lat}`);
    check(expected.grid_code && picked === expected.grid_code && located.grid_code === picked,
          `search by the name ${q} lands in grid ${picked} (the service: ${expected.grid_code}, locate: ${located.grid_code})`);
    // Dedup's conflicts as a layer.
    const answer = await get('/v1/conflicts');
    await page.check('input[data-layer="conflicts"]');
    await page.evaluate(() => window.govgrid.map.fitBounds(window.govgrid.gridLayer.getBounds()));
    await page.waitForFunction(() => document.body.dataset.conflicts !== undefined && Number(document.body.dataset.conflicts) > 0,
                               null, { timeout: 10000 });
    const drawn = Number(await page.evaluate(() => document.body.dataset.conflicts));
    check(answer.features.length > 0 && drawn === answer.features.length,
          `the conflict layer shows dedup's ${answer.features.length} conflicts (${drawn} drawn)`);
  } finally {
    await page.close();
    await second.stop();
  }
}

await main(async () => {
  for (const [lat, lon, code] of [[40.004, 116.004, 'CG0202'], [40.016, 116.016, 'AQ0102']]) {
    const r = await report(base, key, { lat, lon, code, description: 'web+test' });
    check(r.status === 201, `incident ${code} stored (${r.status})`);
  }
  browser = await launch();
  const page = watch(await browser.newPage({ viewport: { width: 900, height: 700 } }), base);
  await page.goto(base + '/');
  // Chinese first; without a key the banner says one is needed.
  check(await page.getAttribute('html', 'lang') === 'zh-CN', 'the page is in Chinese');
  check((await page.textContent('#brand')) === '网格地图' && (await page.textContent('#layers legend')) === '图层',
        'the bar and the layer menu speak Chinese');
  await page.waitForSelector('#banner:not([hidden])', { timeout: 10000 });
  check((await page.textContent('#banner-text')).includes('密钥'), `the banner asks for a key (${await page.textContent('#banner-text')})`);
  // Enter submits the key.
  await page.fill('#key', key);
  await page.press('#key', 'Enter');
  await page.waitForFunction(() => document.body.dataset.grids === '4' && document.body.dataset.incidents === '2',
                             null, { timeout: 15000 });
  check(await page.isHidden('#banner'), 'the banner is gone once the key is in');
  check(await page.evaluate(() => sessionStorage.getItem('govgrid-key')) === key, 'the key is kept in sessionStorage');
  // The grids are painted by one canvas layer: which grids it painted, and
  // where, come from its drawn() hook; the pixels from its canvas.
  const served = (await (await fetch(base + '/v1/grids', { headers: { 'X-API-Key': key } })).json()).features;
  const servedCodes = served.map((f) => f.properties.code).sort();
  await page.waitForFunction(() => window.govgrid.gridLayer.drawn().length === 4, null, { timeout: 5000 }).catch(() => {});
  const painted = await page.evaluate(() => window.govgrid.gridLayer.drawn());
  check(painted.map((d) => d.key).sort().join(',') === servedCodes.join(','),
        `the 4 grids are painted (${painted.map((d) => d.key).join(', ')})`);
  check(await page.evaluate(() => document.querySelectorAll('.leaflet-overlay-pane canvas.gg-grids').length === 1 &&
                                  document.querySelectorAll('.leaflet-overlay-pane path').length === 0),
        'grids are drawn on one canvas, not as SVG paths');
  // Each grid's label point: the grid canvas holds the grid's fill there,
  // and the layer's own hit test finds that grid; outside every grid, none.
  const probe = await page.evaluate((codes) => {
    const g = window.govgrid, layer = g.gridLayer, canvas = document.querySelector('canvas.gg-grids');
    const ctx = canvas.getContext('2d'), r = canvas.getBoundingClientRect(), m = g.map.getContainer().getBoundingClientRect();
    const k = canvas.width / r.width;
    return codes.map((code) => {
      const p = layer.get(code).properties, ll = L.latLng(p.label[1], p.label[0]), c = g.map.latLngToContainerPoint(ll);
      const px = ctx.getImageData(Math.round((m.left + c.x - r.left) * k), Math.round((m.top + c.y - r.top) * k), 1, 1).data;
      const hit = layer.featureAt(ll);
      return { code, fill: layer.drawn().find((d) => d.key === code).fill, px: Array.from(px), hit: hit && hit.properties.code };
    }).concat([{ code: null, hit: (layer.featureAt(L.latLng(39.5, 115.5)) || { properties: {} }).properties.code || null }]);
  }, servedCodes);
  const hex = (px) => '#' + px.slice(0, 3).map((v) => v.toString(16).padStart(2, '0')).join('');
  const near = (a, b) => [1, 3, 5].every((i) => Math.abs(parseInt(a.slice(i, i + 2), 16) - parseInt(b.slice(i, i + 2), 16)) <= 3);
  for (const p of probe.slice(0, -1))
    check(p.px[3] > 0 && near(hex(p.px), p.fill) && p.hit === p.code,
          `grid ${p.code}: painted ${hex(p.px)} (fill ${p.fill}) at its label point, where the hit test finds ${p.hit}`);
  check(probe[probe.length - 1].hit === null, 'the hit test finds no grid outside them');
  check((await page.textContent('#status')).includes('4 个网格'), 'the status line counts the grids in Chinese');
  const legend = await page.textContent('.leaflet-control.legend');
  check(legend.includes('0 户') && legend.includes('无户数') && legend.includes('专属网格'), 'the legend has 0 户, 无户数 and 专属网格');
  check(await page.evaluate(() => window.govgrid.map.getMaxZoom()) === 19, 'zoom stops at 19');

  // Labels: four grid codes apart at the fitted zoom, full codes at 17.
  await page.waitForFunction(() => Number(document.body.dataset.labels || 0) > 0, null, { timeout: 5000 });
  const few = await labelsApart(page, 'fitted view');
  check(few.length >= 4, `every grid of the fitted view is labelled (${few.length})`);
  const texts = await page.$$eval('.gg-label.grid', (els) => els.map((e) => e.textContent).sort());
  const codes = await page.evaluate(() => window.govgrid.gridLayer.drawn().map((d) => d.key.slice(-4)).sort());
  check(texts.join(',') === codes.join(','), `mid zoom labels are the codes' last 4 digits (${texts.join(',')})`);
  let n = await viewCount(page);
  await page.evaluate(() => window.govgrid.map.setView([40.01, 116.01], 17, { animate: false }));
  await settle(page, n);
  const full = await page.$$eval('.gg-label.grid', (els) => els.map((e) => e.textContent));
  check(full.length > 0 && full.every((s) => /^\d{16}/.test(s)), `high zoom labels are full codes (${full.length})`);
  await labelsApart(page, 'zoom 17');
  n = await viewCount(page);
  await page.evaluate(() => window.govgrid.map.setView([40.01, 116.01], 12, { animate: false }));
  await settle(page, n);
  const thin = await page.$$eval('.gg-label.grid', (els) => els.length);
  check(thin < 4, `labels thin out when zoomed out (${thin} at zoom 12)`);
  n = await viewCount(page);
  await page.evaluate(() => window.govgrid.map.setView([40.01, 116.01], 14, { animate: false }));
  await settle(page, n);

  // A click in the south-west grid: its code, status, workers with phones.
  const pt = await page.evaluate(() => {
    const p = window.govgrid.map.latLngToContainerPoint([40.005, 116.005]);
    const box = document.getElementById('map').getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  });
  // The highlight canvas's alpha at a page point (hover and selection are
  // drawn there, above the grids).
  const highlightAlpha = (at) => page.evaluate(({ x, y }) => {
    const c = document.querySelector('canvas.gg-grids-highlight'), r = c.getBoundingClientRect(), k = c.width / r.width;
    return c.getContext('2d').getImageData(Math.round((x - r.left) * k), Math.round((y - r.top) * k), 1, 1).data[3];
  }, at);
  check(await highlightAlpha(pt) === 0, 'nothing is highlighted before the pointer comes');
  // Hover: the grid under the pointer is outlined and the pointer is a hand.
  await page.mouse.move(pt.x, pt.y);
  await page.waitForFunction(() => window.govgrid.gridLayer.hovered() !== null, null, { timeout: 5000 }).catch(() => {});
  const hovered = await page.evaluate(() => [window.govgrid.gridLayer.hovered(),
                                             getComputedStyle(window.govgrid.map.getContainer()).cursor]);
  check(hovered[0] === '1101080010011001' && hovered[1] === 'pointer',
        `hovering grid 1101080010011001 outlines it, with a pointer cursor (${hovered.join(', ')})`);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForSelector('.located .code', { timeout: 10000 });
  let popup = await page.textContent('.leaflet-popup-content');
  check(popup.includes('1101080010011001'), `the click is located in grid 1101080010011001 (${popup.slice(0, 60)}…)`);
  const selected = await page.evaluate(() => window.govgrid.gridLayer.selected());
  const alpha = await highlightAlpha(pt);
  check(selected === '1101080010011001' && alpha > 0, `the clicked grid is selected and highlighted (${selected}, alpha ${alpha})`);
  check(popup.includes('在网格内') && popup.includes('网格长') && popup.includes('专职网格员'), 'status and roles are in Chinese');
  check(popup.includes('王芳') && popup.includes('张伟'), 'the popup lists the grid leader and workers');
  check(await page.$('.leaflet-popup-content a[href="tel:13800000001"]') !== null, 'phones are tel: links');

  // The English switch, and back.
  await page.click('#lang');
  check(await page.getAttribute('html', 'lang') === 'en' && (await page.textContent('#brand')) === 'Grid map' &&
        (await page.textContent('.leaflet-control.legend')).includes('no count'), 'the English switch turns the page English');
  await page.mouse.click(pt.x, pt.y);
  await page.waitForFunction(() => /grid leader/.test((document.querySelector('.leaflet-popup-content') || {}).textContent || ''),
                             null, { timeout: 10000 });
  popup = await page.textContent('.leaflet-popup-content');
  check(popup.includes('inside') && popup.includes('full-time worker'), 'status and roles in English');
  await page.click('#lang');
  check((await page.textContent('#brand')) === '网格地图', 'and back to Chinese');
  await page.click('.leaflet-popup-close-button');
  await page.waitForSelector('.leaflet-popup', { state: 'detached', timeout: 5000 });
  // The pointer off the grids (west of them, inside the map), then off the map.
  const west = await page.evaluate(() => {
    const p = window.govgrid.map.latLngToContainerPoint([40.005, 115.99]);
    const box = document.getElementById('map').getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  });
  await page.mouse.move(west.x, west.y);
  await page.waitForTimeout(100);
  const left = await page.evaluate(() => [window.govgrid.gridLayer.selected(), window.govgrid.gridLayer.hovered(),
                                          getComputedStyle(window.govgrid.map.getContainer()).cursor]);
  check(left[0] === null && left[1] === null && left[2] !== 'pointer' && await highlightAlpha(pt) === 0,
        `closing the popup drops the selection, and leaving the grid its outline (${left.join(', ')})`);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForFunction(() => window.govgrid.gridLayer.hovered() !== null, null, { timeout: 5000 }).catch(() => {});
  await page.mouse.move(5, 5);
  await page.waitForTimeout(100);
  check(await page.evaluate(() => window.govgrid.gridLayer.hovered()) === null, 'leaving the map drops the outline');

  // A view drawn before (zoom 17 here) is drawn again from what the page
  // holds: no request for grids, nothing decoded again.
  const gridRequests = [];
  const onRequest = (r) => { if (/\/v1\/grids\?/.test(r.url())) gridRequests.push(r.url()); };
  page.on('request', onRequest);
  const decodedBefore = await page.evaluate(() => window.govgrid.gridLayer.decodedCount());
  n = await viewCount(page);
  await page.evaluate(() => window.govgrid.map.setView([40.01, 116.01], 17, { animate: false }));
  await settle(page, n);
  await page.waitForTimeout(100);
  const again = await page.evaluate(() => [window.govgrid.gridLayer.decodedCount(), window.govgrid.gridLayer.drawn().length]);
  page.off('request', onRequest);
  check(gridRequests.length === 0 && again[0] === decodedBefore && again[1] > 0,
        `a view seen before is drawn with no request and no decoding (${gridRequests.length} requests, ` +
        `${again[0] - decodedBefore} decoded, ${again[1]} grids painted)`);
  n = await viewCount(page);
  await page.evaluate(() => window.govgrid.map.setView([40.01, 116.01], 14, { animate: false }));
  await settle(page, n);

  // Tiles: under the grids, from the service.
  if (!(await has('/tiles/0/0/0.png'))) {
    skip('/tiles');
    check(await page.isDisabled('input[data-layer="basemap"]'), 'without tiles the basemap toggle is disabled');
  } else {
    await page.waitForFunction(() => document.body.dataset.tiles === 'loaded', null, { timeout: 10000 });
    const tiles = await page.$$eval('.leaflet-tile-pane img.leaflet-tile', (ts) => ts.map((t) => new URL(t.src).pathname));
    check(tiles.length > 0 && tiles.every((s) => /^\/tiles\/\d+\/\d+\/\d+(@2x)?\.png$/.test(s)), `basemap tiles from /tiles (${tiles.length})`);
    const z = await page.evaluate(() => [getComputedStyle(document.querySelector('.leaflet-tile-pane')).zIndex,
                                         getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex].map(Number));
    check(z[0] < z[1], 'the tiles lie under the grids');
    const attribution = await page.textContent('.leaflet-control-attribution');
    check(attribution.includes('© OpenStreetMap contributors (ODbL)'), 'the attribution names OpenStreetMap');
    await page.uncheck('input[data-layer="basemap"]');
  }

  // The screenshot holds each grid's palette colour over the background.
  const colours = await page.evaluate(() => {
    const out = {};
    const drawn = window.govgrid.gridLayer.drawn();
    drawn.forEach((d) => { out[d.fill] = (out[d.fill] || 0) + 1; });
    return { fills: Object.keys(out), opacity: drawn[0].fillOpacity };
  });
  const png = await page.screenshot();
  writeFileSync(path.join(work, 'map.png'), png);
  const img = decodePng(png), total = img.width * img.height, bg = [0xf4, 0xf1, 0xea];
  for (const fill of colours.fills) {
    const rgb = [1, 3, 5].map((k) => parseInt(fill.slice(k, k + 2), 16));
    const want = rgb.map((c, k) => Math.round(colours.opacity * c + (1 - colours.opacity) * bg[k]));
    const share = countNear(img, want, 4) / total;
    check(share > 0.02, `the screenshot shows the grids filled ${fill} (${(100 * share).toFixed(1)}% of pixels)`);
  }

  // Search.
  if (!(await has('/v1/search?q=1001'))) {
    skip('/v1/search');
    await page.fill('#search', '1001');
    await page.waitForFunction(() => /不提供搜索/.test(document.getElementById('results').textContent), null, { timeout: 5000 });
    check(true, 'without /v1/search the search box says search is unavailable');
    await page.fill('#search', '');
  } else {
    for (const [what, q, crs] of [['by code', '1101080010011001', 'wgs84'], ['by GCJ-02 coordinates', gcj02(116.005, 40.005), 'gcj02']]) {
      await page.selectOption('#crs', crs);
      await page.fill('#search', q);
      await page.waitForSelector('#results li[data-index]', { timeout: 5000 });
      await page.press('#search', 'Enter');
      await page.waitForFunction(() => document.body.dataset.picked, null, { timeout: 10000 });
      const picked = await page.evaluate(() => { const p = document.body.dataset.picked; delete document.body.dataset.picked; return p; });
      popup = await page.textContent('.leaflet-popup-content');
      check(picked === '1101080010011001' && popup.includes('张伟'), `search ${what} lands in grid 1101080010011001 with its workers (${picked})`);
      const chosen = await page.evaluate(() => window.govgrid.gridLayer.selected());
      check(chosen === picked, `and selects it (${chosen})`);
    }
    await page.selectOption('#crs', 'wgs84');
  }

  // Plans: a second import is a second plan; the selector switches.
  if (!(await has('/v1/plans'))) {
    skip('/v1/plans');
    check(await page.isDisabled('#plan'), 'without /v1/plans the plan selector shows the current plan, disabled');
  } else {
    const plans = await (await fetch(base + '/v1/plans', { headers: { 'X-API-Key': key } })).json();
    const list = Array.isArray(plans) ? plans : plans.plans;
    const options = await page.$$eval('#plan option', (os) => os.map((o) => o.value));
    check(options.length === list.length, `the plan selector lists every plan (${options.length})`);
    if (list.length > 1) {
      const other = String(list.find((p) => !p.newest).id);
      // The switch asks for the other plan's grids; a request for the
      // newest one may still be in flight from before it, so only what
      // the map asks after the switch has settled must name the other.
      const planOf = (r) => new URL(r.url()).searchParams.get('plan');
      const switched = page.waitForRequest((r) => /\/v1\/grids\?/.test(r.url()) && planOf(r) === other, { timeout: 10000 });
      await page.selectOption('#plan', other);
      const first = await switched.catch(() => null);
      await page.waitForTimeout(800);
      const asked = [];
      page.on('request', (r) => { if (/\/v1\/grids\?/.test(r.url())) asked.push(planOf(r)); });
      await page.evaluate(() => window.govgrid.map.zoomOut(1));
      await page.waitForTimeout(1000);
      check(first !== null && asked.every((p) => p === other),
            `switching plans asks for plan ${other}'s grids, and the moves after it too (${asked.join(',') || 'cached'})`);
    }
  }

  // Conflicts (serve --dedup DIR).
  if (!(await has('/v1/conflicts?bbox=115,39,117,41'))) {
    skip('/v1/conflicts');
    check(await page.isDisabled('input[data-layer="conflicts"]'), 'without /v1/conflicts its toggle is disabled');
  } else {
    const answer = await (await fetch(base + '/v1/conflicts?bbox=115,39,117,41', { headers: { 'X-API-Key': key } })).json();
    await page.check('input[data-layer="conflicts"]');
    await page.waitForFunction(() => document.body.dataset.conflicts !== undefined, null, { timeout: 10000 });
    const shown = Number(await page.evaluate(() => document.body.dataset.conflicts));
    check(shown === (answer.features || []).length, `the conflict layer shows the service's conflicts (${shown})`);
  }
  await page.close();

  // The phone: 390x844, touch. Controls inside the screen, none covering another.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
                                           deviceScaleFactor: 2, geolocation: { latitude: 40.005, longitude: 116.005 },
                                           permissions: ['geolocation'] });
  const mobile = watch(await phone.newPage(), base);
  await mobile.goto(base + '/');
  check(await mobile.isHidden('#menu'), 'on a phone the menu starts folded');
  await mobile.tap('#menu-button');
  check(await mobile.isVisible('#key'), 'the menu button unfolds it');
  await mobile.fill('#key', key);
  await mobile.press('#key', 'Enter');
  await mobile.waitForFunction(() => document.body.dataset.grids === '4', null, { timeout: 15000 });
  const menuControls = await boxes(mobile, '#menu select:not([hidden]), #menu button, #menu input[type=password], #layers label');
  check(menuControls.every((b) => b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 390 && b.y1 <= 844), 'the unfolded menu fits the screen');
  const menuClash = overlapping(menuControls);
  check(menuClash.length === 0, `no menu control covers another ${menuClash.join(', ')}`);
  await mobile.tap('#menu-button');
  await mobile.waitForFunction(() => Number(document.body.dataset.labels || 0) > 0, null, { timeout: 5000 });
  const controls = await boxes(mobile, '#brand, #search, #menu-button, .leaflet-control-zoom-in, .leaflet-control-zoom-out, #locate, ' +
                                       '.leaflet-control-attribution, .leaflet-control.legend, .leaflet-control-scale');
  const outside = controls.filter((b) => b.x0 < 0 || b.y0 < 0 || b.x1 > 390 || b.y1 > 844);
  check(controls.length >= 6 && outside.length === 0, `every control lies inside 390x844 (${controls.length}; outside: ${outside.map((b) => b.id)})`);
  const clash = overlapping(controls);
  check(clash.length === 0, `no control covers another ${clash.join(', ')}`);
  const small = controls.filter((b) => /menu-button|zoom-in|zoom-out|locate/.test(b.id) && (b.x1 - b.x0 < 40 || b.y1 - b.y0 < 40));
  check(small.length === 0, `touch targets are at least 40 px (${small.map((b) => b.id)})`);
  await labelsApart(mobile, 'phone');
  const before = await viewCount(mobile);
  await mobile.tap('#locate');
  await mobile.waitForFunction(() => { const c = window.govgrid.map.getCenter(); return Math.abs(c.lat - 40.005) < 1e-3 && Math.abs(c.lng - 116.005) < 1e-3; },
                               null, { timeout: 10000 });
  check(await viewCount(mobile) >= before, 'locate-me centres the map on the position');
  await phone.close();
  await placesStage();
  checkNothingExternal();
});

// WGS-84 to GCJ-02 (the published transform), as "lon,lat".
function gcj02(lon, lat) {
  const a = 6378245.0, ee = 0.00669342162296594323, x = lon - 105, y = lat - 35;
  let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dLat += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
  dLat += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
  dLat += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  let dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLon += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
  dLon += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
  dLon += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  const rad = lat / 180 * Math.PI, magic = 1 - ee * Math.sin(rad) ** 2, sq = Math.sqrt(magic);
  dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * sq) * Math.PI);
  dLon = (dLon * 180) / (a / sq * Math.cos(rad) * Math.PI);
  return `${(lon + dLon).toFixed(7)},${(lat + dLat).toFixed(7)}`;
}

// A PNG (8-bit RGB or RGBA, not interlaced) into {width, height, channels, data}.
function decodePng(buf) {
  let pos = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), name = buf.toString('ascii', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (name === 'IHDR') { width = body.readUInt32BE(0); height = body.readUInt32BE(4); type = body[9]; }
    if (name === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const channels = type === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels, out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      let p = v;
      if (f === 1) p = v + a;
      else if (f === 2) p = v + b;
      else if (f === 3) p = v + ((a + b) >> 1);
      else if (f === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      out[y * stride + x] = p & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

function countNear(img, rgb, tol) {
  let n = 0;
  for (let i = 0; i < img.data.length; i += img.channels)
    if (Math.abs(img.data[i] - rgb[0]) <= tol && Math.abs(img.data[i + 1] - rgb[1]) <= tol &&
        Math.abs(img.data[i + 2] - rgb[2]) <= tol) n++;
  return n;
}
