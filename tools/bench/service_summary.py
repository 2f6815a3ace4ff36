#!/usr/bin/python3
"""Helpers of tools/bench/service_during_partition.sh.

    service_summary.py run MARKS -- COMMAND...
        runs COMMAND, appending "start T" and "end T" (CLOCK_MONOTONIC
        seconds, the clock of service_load.py) to MARKS; exits with its status.
    service_summary.py table LABEL LOAD_JSON MARKS WATCH_JSON
        prints one Markdown row: the requests that started between the
        marks (the partition), reads (GET /healthz and /v1/locate) and
        Open311 POSTs, with the longest write lock seen by lock_watch.py.
"""
import json
import subprocess
import sys
import time


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def ms(seconds):
    return "%.1f" % (seconds * 1000.0)


if sys.argv[1] == "run":
    marks = sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    with open(marks, "a") as f:
        f.write("start %.6f\n" % time.monotonic())
    rc = subprocess.call(command)
    with open(marks, "a") as f:
        f.write("end %.6f\n" % time.monotonic())
    sys.exit(rc)

label, load, marks, watch = sys.argv[2:6]
records = json.load(open(load))
mark = dict((name, float(t)) for name, t in (line.split() for line in open(marks) if line.strip()))
start, end = mark["start"], mark["end"]
during = [r for r in records if start <= r[1] <= end]
reads = [r for r in during if r[0] in ("healthz", "locate")]
posts = [r for r in during if r[0] == "post"]
read_lat = [r[2] for r in reads]
post_lat = [r[2] for r in posts]
failed_reads = sum(1 for r in reads if r[3] != 200)
failed_posts = sum(1 for r in posts if r[3] != 201)
statuses = {}
for r in posts:
    if r[3] != 201:
        statuses[r[3]] = statuses.get(r[3], 0) + 1
lock = json.load(open(watch))
print("| %s | %.1f | %s | %d | %d%s | %s | %s | %s | %d | %d | %s | %s | %s |" % (
    label, end - start, "%.2f" % lock["longest_locked_s"], len(posts), failed_posts,
    (" (" + ", ".join("%s: %d" % (k if k else "no answer", v) for k, v in sorted(statuses.items())) + ")")
    if statuses else "", ms(percentile(post_lat, 50)), ms(percentile(post_lat, 99)), ms(max(post_lat or [0])),
    len(reads), failed_reads, ms(percentile(read_lat, 50)), ms(percentile(read_lat, 99)), ms(max(read_lat or [0]))))
