#!/usr/bin/python3
"""Writes queue on the writer thread; reads never wait behind them.

Another process holds the project's write lock for 8 s (as a backup,
`sqlite3` by hand or a govgrid from before the short write transactions
does) while two clients read (/healthz, /v1/locate, /v1/grids; 200
requests) and twenty clients post an Open311 request each (XML and JSON in
turn), one every 0.3 s. Every read is answered quickly (p99 under 50 ms),
every post is answered 201 once the lock is released (none 503), and all
20 are in the store. Before, the posts got 503 "database is locked" after
the store's 5 s busy timeout, and the waiting posts held both request
threads so that reads stalled for seconds.

    writes_test.py GOVGRID FIXTURES_DIR WORK_DIR
"""
import os
import sqlite3
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402

govgrid, fixtures, work = sys.argv[1:4]
project, keys, key = svc.make_project(govgrid, fixtures, work)
service = svc.Service(govgrid, project, keys, os.path.join(work, "serve.log"))
port = service.port
LOCK_S = 8
lock = svc.WriteLock(project, LOCK_S)
t0 = time.monotonic()
reads, posts = [], []
guard = threading.Lock()
paths = ["/healthz", "/v1/locate?lon=116.005&lat=40.005", f"/v1/grids?bbox=116,40,116.02,40.02&api_key={key}"]


def reader(k):
    for i in range(100):
        status, _, secs = svc.request(port, "GET", paths[(i + k) % len(paths)], timeout=15)
        with guard:
            reads.append((status, secs))
        time.sleep(0.06)


def poster(k):
    time.sleep(0.3 * k)
    status, body, secs = svc.form_post(port, key, "xml" if k % 2 else "json", description=f"during the lock {k}")
    with guard:
        posts.append((status, secs, body[:160]))


threads = [threading.Thread(target=reader, args=(k,)) for k in range(2)]
threads += [threading.Thread(target=poster, args=(k,)) for k in range(20)]
for t in threads:
    t.start()
for t in threads:
    t.join()
lock.release()
elapsed = time.monotonic() - t0
lat = sorted(secs for _, secs in reads)
p50 = lat[len(lat) // 2] * 1000
p99 = lat[int(len(lat) * 0.99) - 1] * 1000
svc.check(len(reads) == 200 and all(st == 200 for st, _ in reads),
          f"{len(reads)} reads during the lock, all 200: {sorted(set(str(st) for st, _ in reads))}")
svc.check(p99 < 50, f"read latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {lat[-1] * 1000:.1f} ms (p99 under 50 ms)")
statuses = sorted(set(str(st) for st, _, _ in posts))
svc.check(len(posts) == 20 and all(st == 201 for st, _, _ in posts),
          f"{len(posts)} posts, all 201: {statuses} {[b for st, _, b in posts if st != 201][:2]}")
slowest = max(secs for _, secs, _ in posts)
svc.check(slowest >= LOCK_S - 2, f"the first posts waited for the lock (slowest {slowest:.1f} s; lock {LOCK_S} s)")
stored = sqlite3.connect(project).execute("SELECT count(*) FROM incident WHERE description LIKE 'during the lock%'")
stored = stored.fetchone()[0]
svc.check(stored == 20, f"{stored} of 20 incidents stored ({elapsed:.1f} s in all)")
rc, _ = service.stop()
svc.check(rc == 0 and service.sanitizer_quiet(), f"the service stopped cleanly (exit {rc})")
svc.finish()
