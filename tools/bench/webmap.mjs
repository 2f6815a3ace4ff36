// The web map benchmark's driver (tools/bench/webmap.sh runs it): opens the
// web map a user opens (the page `govgrid serve` answers at /, with its
// basemap tiles, community boundaries and labels) in headless Chromium
// (Debian's, driven by playwright-core) and measures the time from
// navigation to the first full view of the whole plan, and the repaint of
// pans and zooms: from the move to the view's grids, communities and labels
// painted (the page's data-view counter, then two frames), and to the
// basemap's tiles loaded as well. Also counts the bytes the page received
// for grids.
//   node webmap.mjs SERVICE_URL [MOVES] [ROUNDS]
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');
const [service, movesArg, roundsArg] = process.argv.slice(2);
const moves = Number(movesArg || 20);
const rounds = Number(roundsArg || 1);

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
// Pans of 300 px and zooms between 12 and 15 around the plan's middle.
const plan = [];
for (let k = 0; plan.length < moves; k++) {
  const z = [13, 13, 14, 14, 15, 15, 14, 13, 12, 12][k % 10];
  const d = k % 2 ? 300 : -300;
  plan.push(k % 3 === 0 ? [d, 0, z] : k % 3 === 1 ? [0, d, z] : [d, d, z]);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
});
const opens = [], times = [], tileTimes = [], gridBytes = [], slow = [];
try {
  for (let round = 0; round < rounds; round++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let bytes = 0;
    page.on('response', async (res) => {
      if (!/\/v1\/grids\?/.test(res.url())) return;
      const size = Number((await res.allHeaders())['content-length'] || 0);
      bytes += size;
    });
    await page.goto(`${service}/`);
    await page.waitForFunction(() => window.govgrid && window.govgrid.state.fitted &&
                               Number(document.body.dataset.view || 0) > 0 && Number(document.body.dataset.grids || 0) > 0,
                               null, { timeout: 60000 });
    opens.push(await page.evaluate(() => new Promise((done) =>
      requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))))));
    // a view change (pan by dx, dy pixels, or a zoom to z around the
    // centre) and its repaint
    const move = (dx, dy, z) => page.evaluate(([a, b, c]) => new Promise((done) => {
      const g = window.govgrid, map = g.map, before = Number(document.body.dataset.view || 0);
      const t0 = performance.now();
      const centre = map.containerPointToLatLng(map.getSize().divideBy(2).add([a, b]));
      map.setView(centre, c, { animate: false });
      let ms = null;
      const tiles = () => {
        if (!g.tilesLoading || !g.tilesLoading())
          requestAnimationFrame(() => done({ ms, tilesMs: performance.now() - t0, grids: g.gridLayer.drawn().length }));
        else setTimeout(tiles, 2);
      };
      const wait = () => {
        if (Number(document.body.dataset.view || 0) > before)
          requestAnimationFrame(() => requestAnimationFrame(() => { ms = performance.now() - t0; tiles(); }));
        else setTimeout(wait, 2);
      };
      wait();
    }), [dx, dy, z]);
    await move(0, 0, 13);
    for (const [dx, dy, z] of plan) {
      bytes = 0;
      const r = await move(dx, dy, z);
      await page.waitForTimeout(50); // the response events' sizes
      times.push(r.ms);
      tileTimes.push(r.tilesMs);
      gridBytes.push(bytes);
      if (r.ms > 200) slow.push({ ms: Math.round(r.ms), zoom: z, grids: r.grids, bytes });
    }
    await page.close();
  }
} finally {
  await browser.close();
}
const result = {
  rounds, moves_per_round: moves,
  open_ms_median: Math.round(pct(opens, 0.5)),
  repaint_median_ms: Math.round(pct(times, 0.5)), repaint_p95_ms: Math.round(pct(times, 0.95)),
  repaint_max_ms: Math.round(Math.max(...times)), grid_bytes_per_move_median: pct(gridBytes, 0.5),
  with_tiles_median_ms: Math.round(pct(tileTimes, 0.5)), with_tiles_p95_ms: Math.round(pct(tileTimes, 0.95)),
  over_200_ms: slow,
};
console.log(JSON.stringify(result, null, 2));
console.log(`open ${result.open_ms_median} ms; repaint median ${result.repaint_median_ms} ms, p95 ${result.repaint_p95_ms} ms; ` +
            `basemap tiles too: median ${result.with_tiles_median_ms} ms, p95 ${result.with_tiles_p95_ms} ms (${times.length} moves)`);
