// The web map benchmark's driver (tools/bench/webmap.sh runs it): serves
// tools/bench/webmap.html and Leaflet from web/node_modules, proxies /v1 to
// a running govgrid serve, and measures in headless Chromium (Debian's,
// driven by playwright-core) the time to the first full draw of the whole
// plan and the repaint of pans and zooms, with the grids simplified per
// zoom (/v1/grids?zoom=Z) and as stored (no zoom), and prints both.
//   node webmap.mjs SERVICE_URL W,S,E,N [MOVES]
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.join(here, '../../web');
const require = createRequire(path.join(web, 'package.json'));
const { chromium } = require('playwright-core');
const [service, bbox, movesArg] = process.argv.slice(2);
const moves = Number(movesArg || 20);

const files = {
  '/webmap.html': [path.join(here, 'webmap.html'), 'text/html; charset=utf-8'],
  '/leaflet/leaflet.js': [path.join(web, 'node_modules/leaflet/dist/leaflet.js'), 'text/javascript'],
  '/leaflet/leaflet.css': [path.join(web, 'node_modules/leaflet/dist/leaflet.css'), 'text/css'],
  '/gridcanvas.js': [path.join(web, 'gridcanvas.js'), 'text/javascript'],
};
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/v1/')) {
    const up = http.get(service + req.url, (r) => {
      res.writeHead(r.statusCode, { 'Content-Type': r.headers['content-type'] || 'application/json' });
      r.pipe(res);
    });
    up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    return;
  }
  const f = files[url.pathname];
  if (!f) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'Content-Type': f[1] });
  res.end(readFileSync(f[0]));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

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
const results = {};
try {
  for (const simplify of [1, 0]) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/webmap.html?bbox=${bbox}&simplify=${simplify}`);
    await page.waitForFunction(() => window.bench !== undefined);
    const open = await page.evaluate(() => window.bench.open());
    // the middle of the plan at zoom 13 before the measured moves
    await page.evaluate(() => window.bench.move(0, 0, 13));
    const times = [], bytes = [];
    for (const [dx, dy, z] of plan) {
      const r = await page.evaluate(([a, b, c]) => window.bench.move(a, b, c), [dx, dy, z]);
      times.push(r.ms);
      bytes.push(r.bytes);
    }
    results[simplify ? 'simplified' : 'stored'] = {
      open_ms: Math.round(open.ms), open_zoom: open.zoom, open_features: open.features, open_bytes: open.bytes,
      repaint_median_ms: Math.round(pct(times, 0.5)), repaint_p95_ms: Math.round(pct(times, 0.95)),
      repaint_max_ms: Math.round(Math.max(...times)), view_bytes_median: pct(bytes, 0.5),
    };
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
const s = results.simplified, t = results.stored;
console.log(JSON.stringify(results, null, 2));
console.log(`open: ${s.open_ms} ms simplified, ${t.open_ms} ms stored (${(t.open_ms / s.open_ms).toFixed(1)}x); ` +
            `repaint median ${s.repaint_median_ms} / ${t.repaint_median_ms} ms, p95 ${s.repaint_p95_ms} / ${t.repaint_p95_ms} ms; ` +
            `bytes at open ${s.open_bytes} / ${t.open_bytes} (${(t.open_bytes / s.open_bytes).toFixed(1)}x)`);
