// End to end in headless Chromium (Debian's, driven by playwright-core): the
// web map of `govgrid serve` on four square grids with a roster and two
// incidents. Checks that the grids and incidents are drawn, that a click
// locates the point and shows its grid and workers, and that the screenshot
// holds the grids' colours.
//   node map.test.mjs GOVGRID FIXTURES_DIR WORK_DIR
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const [govgrid, fixtures, work] = process.argv.slice(2);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const project = path.join(work, 'p.sqlite');
const keys = path.join(work, 'keys');
const run = (...args) => execFileSync(govgrid, args, { encoding: 'utf8' }).trim();
run('init', project, '--quiet');
run('import', project, 'grids', path.join(fixtures, 'square_grids.csv'), '--quiet');
run('import', project, 'workers', path.join(fixtures, 'square_workers.csv'), '--quiet');
const key = run('key', 'new', keys, '--name', 'web', '--rights', 'read,write', '--quiet');

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

const server = spawn(govgrid, ['serve', project, '--listen', '127.0.0.1:0', '--keys', keys, '--threads', '2']);
let log = '';
const port = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the service did not start: ' + log)), 10000);
  server.stderr.on('data', (d) => {
    log += d;
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
    if (m) { clearTimeout(timer); resolve(Number(m[1])); }
  });
});
const base = `http://127.0.0.1:${port}`;
let browser;
try {
  for (const [lat, lon, code] of [[40.004, 116.004, 'CG0202'], [40.016, 116.016, 'AQ0102']]) {
    const r = await fetch(`${base}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `api_key=${key}&service_code=${code}&lat=${lat}&long=${lon}&description=web+test`,
    });
    check(r.status === 201, `incident ${code} stored (${r.status})`);
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const external = [];
  page.on('request', (req) => { if (!req.url().startsWith(base)) external.push(req.url()); });
  await page.goto(base + '/');
  await page.fill('#key', key);
  await page.click('#load');
  await page.waitForFunction(() => document.body.dataset.grids === '4' && document.body.dataset.incidents === '2',
                             null, { timeout: 15000 });
  const paths = await page.$$eval('path.leaflet-interactive', (ps) => ps.length);
  check(paths === 6, `4 grids and 2 incidents drawn (${paths} shapes)`);
  check((await page.textContent('#status')).includes('4 grids'), 'status line counts the grids');
  // Click the middle of the south-west grid.
  const pt = await page.evaluate(() => {
    const p = window.govgrid.map.latLngToContainerPoint([40.005, 116.005]);
    const box = document.getElementById('map').getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  });
  await page.mouse.click(pt.x, pt.y);
  await page.waitForSelector('.located .code', { timeout: 10000 });
  const popup = await page.textContent('.leaflet-popup-content');
  check(popup.includes('1101080010011001'), `the click is located in grid 1101080010011001 (${popup.slice(0, 60)}…)`);
  check(popup.includes('王芳') && popup.includes('张伟'), 'the popup lists the grid leader and workers');
  await page.click('.leaflet-popup-close-button');
  const png = await page.screenshot();
  writeFileSync(path.join(work, 'map.png'), png);
  const img = decodePng(png);
  // The comprehensive grids hold no households: grey #d9d9d9 at 0.75 over
  // the background #f4f1ea; the dedicated one violet #9e85d1.
  const grey = countNear(img, [224, 223, 221], 4), violet = countNear(img, [180, 160, 215], 4);
  const total = img.width * img.height;
  check(grey > total * 0.05, `the screenshot shows the comprehensive grids (${(100 * grey / total).toFixed(1)}% of pixels)`);
  check(violet > total * 0.02, `the screenshot shows the dedicated grid (${(100 * violet / total).toFixed(1)}% of pixels)`);
  check(external.length === 0, `nothing fetched from elsewhere (${external.length} requests)`);
} catch (e) {
  check(false, 'the test ran: ' + e.message);
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
}
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);

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
