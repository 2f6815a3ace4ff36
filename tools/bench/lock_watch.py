#!/usr/bin/python3
"""Watches a SQLite database's write lock from outside, the way another
writer would see it: tries BEGIN IMMEDIATE with no busy timeout every few
milliseconds (and rolls back at once) until told to stop (SIGTERM or SIGINT),
then prints the longest stretch during which the lock could not be taken,
the total time refused and the number of attempts, as one line of JSON.

    tools/bench/lock_watch.py PROJECT [INTERVAL_MS]
"""
import json
import signal
import sqlite3
import sys
import time

path = sys.argv[1]
interval = (float(sys.argv[2]) if len(sys.argv) > 2 else 5.0) / 1000.0
stop = False


def on_signal(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
db = sqlite3.connect(path, timeout=0, isolation_level=None)
attempts = refused = 0
busy_since = None
longest = total = 0.0
longest_at = None
start = time.monotonic()
while not stop:
    now = time.monotonic()
    attempts += 1
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        ok = True
    except sqlite3.OperationalError:
        ok = False
        refused += 1
    now2 = time.monotonic()
    if not ok and busy_since is None:
        busy_since = now
    elif ok and busy_since is not None:
        stretch = now2 - busy_since
        total += stretch
        if stretch > longest:
            longest, longest_at = stretch, busy_since - start
        busy_since = None
    time.sleep(interval)
if busy_since is not None:
    stretch = time.monotonic() - busy_since
    total += stretch
    if stretch > longest:
        longest, longest_at = stretch, busy_since - start
print(json.dumps({"longest_locked_s": round(longest, 3),
                  "longest_starts_at_s": round(longest_at, 3) if longest_at is not None else None,
                  "locked_total_s": round(total, 3), "attempts": attempts, "refused": refused,
                  "watched_s": round(time.monotonic() - start, 3)}))
