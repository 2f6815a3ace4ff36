// What the browser tests of the web map share: the command line
// (GOVGRID FIXTURES_DIR WORK_DIR), a clean work directory with a project and
// a key file in it, the govgrid command line, `govgrid serve` on a free port
// of 127.0.0.1, headless Chromium (Debian's, driven by playwright-core from
// web/'s lock file), the checks and their count, and the cleanup: the
// browser closed and every service stopped, however the test ends. A test:
//   const { project, keys, fixture, run, newKey } = setup();
//   ...run('init', project, '--quiet'), newKey('web', 'read')...
//   const { base } = await serve(project, { keys });
//   await main(async () => { const browser = await launch(); ...check(ok, what)... });
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

let govgrid = null;
let checks = 0;
let failures = 0;
let browser = null;
const services = new Set();
// Requests a page made to anywhere but the service it was opened on.
export const external = [];

// Reads the command line and makes WORK_DIR anew. Returns the paths, `run`,
// the govgrid command line (its output, trimmed; throws on failure), and
// `newKey`.
export function setup() {
  const [cli, fixtures, work] = process.argv.slice(2);
  if (!cli || !fixtures || !work) {
    console.error(`usage: node ${path.basename(process.argv[1])} GOVGRID FIXTURES_DIR WORK_DIR`);
    process.exit(2);
  }
  govgrid = cli;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const keys = path.join(work, 'keys');
  return {
    govgrid, fixtures, work, keys,
    project: path.join(work, 'p.sqlite'),
    fixture: (name) => path.join(fixtures, name),
    run,
    // A new key in the work directory's key file: its secret.
    newKey: (name, rights) => run('key', 'new', keys, '--name', name, '--rights', rights, '--quiet'),
  };
}

export function run(...args) {
  return execFileSync(govgrid, args, { encoding: 'utf8' }).trim();
}

export function check(ok, what) {
  checks++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
  return ok;
}

export function skip(route) { console.log(`skipped: route not available (${route})`); }

// `govgrid serve PROJECT --listen 127.0.0.1:0 --keys KEYS --threads 2 ARGS...`,
// once it says where it listens: { base, port, proc, stop() }. It is stopped
// by main() if the test has not stopped it.
export async function serve(project, { keys, args = [], timeout = 10000, name = 'the service' } = {}) {
  const proc = spawn(govgrid, ['serve', project, '--listen', '127.0.0.1:0', '--keys', keys, '--threads', '2', ...args]);
  const service = { name, proc, log: '', stop: () => stop(service) };
  services.add(service);
  proc.stdout.resume();
  service.port = await new Promise((resolve, reject) => {
    const fail = (why) => { clearTimeout(timer); reject(new Error(`${name} did not start (${why}): ${service.log}`)); };
    const timer = setTimeout(() => fail(`nothing in ${timeout / 1000} s`), timeout);
    // The listener stays: the service's stderr is read to its end.
    proc.stderr.on('data', (d) => {
      service.log += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(service.log);
      if (m && !service.port) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('error', (e) => fail(e.message));
    proc.on('exit', (code, signal) => { if (!service.port) fail(`exited ${signal || code}`); });
  });
  service.base = `http://127.0.0.1:${service.port}`;
  return service;
}

const exited = (proc) => proc.exitCode !== null || proc.signalCode !== null;

// SIGTERM, then the exit; one that has not gone in 10 s is killed and fails.
async function stop(service) {
  if (!services.delete(service)) return;
  const { proc } = service;
  if (exited(proc)) {
    check(false, `${service.name} runs until stopped (it exited ${proc.signalCode || proc.exitCode}: ${service.log.slice(-400)})`);
    return;
  }
  const gone = new Promise((resolve) => proc.on('exit', () => resolve(true)));
  proc.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(() => resolve(false), 10000).unref());
  if (!(await Promise.race([gone, timer]))) {
    proc.kill('SIGKILL');
    check(false, `${service.name} stops on SIGTERM`);
  }
}

// A process that ends another way (a throw outside main, a signal) leaves
// no service running.
process.on('exit', () => { for (const s of services) if (!exited(s.proc)) s.proc.kill('SIGKILL'); });
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => { console.log(`FAIL the test ran: ${signal}`); process.exit(1); });

// GET base + route with the key: the answer's JSON.
export const getter = (base, key) => async (route) => (await fetch(base + route, { headers: { 'X-API-Key': key } })).json();

// An incident reported through Open311 (description form-encoded already):
// the service's response.
export const report = (base, key, { lat, lon, code, description }) => fetch(`${base}/open311/v2/requests.json`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: `api_key=${key}&service_code=${code}&lat=${lat}&long=${lon}&description=${description}`,
});

// Headless Chromium, closed by main().
export async function launch() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  return browser;
}

// Records the page's requests to anywhere but base (checkNothingExternal
// says whether there were any); an uncaught error in the page's scripts
// fails the test.
export function watch(page, base) {
  page.on('request', (req) => { if (!req.url().startsWith(base)) external.push(req.url()); });
  page.on('pageerror', (e) => check(false, `no script error (${e.message})`));
  return page;
}

export function checkNothingExternal() {
  check(external.length === 0, `nothing fetched from elsewhere (${external.length} requests ${external.slice(0, 3).join(', ')})`);
}

// Runs the test's body; a throw fails it. Then closes the browser, stops
// the services, says how it went and exits: 0 only if checks were made and
// none failed.
export async function main(body) {
  try {
    await body();
  } catch (e) {
    check(false, 'the test ran: ' + (e && e.stack ? e.stack : e));
  } finally {
    if (browser) await browser.close().catch((e) => check(false, 'the browser closes: ' + e.message));
    for (const s of [...services]) await stop(s);
  }
  if (checks === 0) check(false, 'the test made its checks');
  console.log(failures ? `${failures} failed` : 'all passed');
  process.exit(failures ? 1 : 0);
}
