#!/usr/bin/python3
"""A steady stream of requests to `govgrid serve`, for
tools/bench/service_during_partition.sh (Python's standard library only).

    service_load.py PORT KEY POINTS_FILE OUT_JSON [READERS] [READ_PAUSE_MS] [POSTERS] [POST_PAUSE_MS]

READERS threads (default 2) alternate GET /healthz and GET /v1/locate at a
point of POINTS_FILE (lines "lon lat"), pausing READ_PAUSE_MS (default 20)
between requests; POSTERS threads (default 1) POST an Open311 request
(form-encoded, the write key KEY) every POST_PAUSE_MS (default 100). Each
thread keeps one HTTP/1.1 connection open (a new one after an error).
Runs until SIGTERM or SIGINT, then writes every request as
[kind, start_s, seconds, status] (times from CLOCK_MONOTONIC, status 0 for
a connection error) to OUT_JSON. Marks the caller writes to the file named
by OUT_JSON + ".marks" ("name seconds" lines, same clock) are read by the
summary (service_summary.py).
"""
import http.client
import json
import random
import signal
import sys
import threading
import time
import urllib.parse

port = int(sys.argv[1])
key = sys.argv[2]
points = [tuple(map(float, line.split())) for line in open(sys.argv[3]) if line.strip()]
out = sys.argv[4]
readers = int(sys.argv[5]) if len(sys.argv) > 5 else 2
read_pause = (float(sys.argv[6]) if len(sys.argv) > 6 else 20.0) / 1000.0
posters = int(sys.argv[7]) if len(sys.argv) > 7 else 1
post_pause = (float(sys.argv[8]) if len(sys.argv) > 8 else 100.0) / 1000.0
codes = ["CG0202", "CG0201", "AQ0102", "CG0301", "SH0101"]
stop = threading.Event()
records = []
lock = threading.Lock()


def on_signal(signum, frame):
    stop.set()


def run(kind_of, make, pause, seed):
    rng = random.Random(seed)
    conn = None
    mine = []
    n = 0
    while not stop.is_set():
        kind, method, path, body, headers = make(rng, n)
        n += 1
        t0 = time.monotonic()
        status = 0
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            conn = None
        mine.append((kind, t0, time.monotonic() - t0, status))
        stop.wait(pause)
    if conn is not None:
        conn.close()
    with lock:
        records.extend(mine)


def make_read(rng, n):
    if n % 2 == 0:
        return "healthz", "GET", "/healthz", None, {}
    lon, lat = rng.choice(points)
    return "locate", "GET", "/v1/locate?lon=%.7f&lat=%.7f" % (lon, lat), None, {}


def make_post(rng, n):
    lon, lat = rng.choice(points)
    body = urllib.parse.urlencode({"api_key": key, "service_code": rng.choice(codes), "lat": "%.7f" % lat,
                                   "long": "%.7f" % lon, "description": "load test during a partition"})
    return "post", "POST", "/open311/v2/requests.json", body, {
        "Content-Type": "application/x-www-form-urlencoded"}


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
threads = [threading.Thread(target=run, args=("read", make_read, read_pause, i)) for i in range(readers)]
threads += [threading.Thread(target=run, args=("post", make_post, post_pause, 100 + i)) for i in range(posters)]
for t in threads:
    t.start()
while not stop.is_set():
    stop.wait(0.2)
for t in threads:
    t.join()
with open(out, "w") as f:
    json.dump(records, f)
