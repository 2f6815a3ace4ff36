#!/usr/bin/python3
"""Resent Open311 requests become one incident each, across SIGKILLs.

A reporting client that gets no answer (the service was killed, the network
dropped) sends the same request again. Here COUNT submissions are each sent
twice, alternately in JSON and XML, half of them with an Idempotency-Key
header and half recognised by their content alone; KILLS times the service
is killed with SIGKILL while a first send is in flight, and restarted before
the second. Checked: exactly COUNT incidents are stored, every id a
submission was acknowledged with is the same each time, and every
acknowledged id is stored.

    retry_test.py GOVGRID PROJECT KEYS WRITE_KEY WORK_DIR [COUNT] [KILLS]
"""
import atexit
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET


RUNNING = []


@atexit.register
def stop_all():
    """No service outlives the test, whatever way it ends."""
    for proc in RUNNING:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def start(govgrid, project, keys, log_path):
    log = open(log_path, "a")
    seen = log.tell()  # only what this start writes counts
    proc = subprocess.Popen([govgrid, "serve", project, "--listen", "127.0.0.1:0", "--keys", keys,
                             "--threads", "2"], stderr=log, stdout=subprocess.DEVNULL)
    RUNNING.append(proc)
    for _ in range(200):
        with open(log_path) as f:
            f.seek(seen)
            found = re.findall(r"listening on 127\.0\.0\.1:(\d+)", f.read())
        if found:
            return proc, int(found[-1])
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    sys.exit("FAIL the service did not start: " + open(log_path).read()[-2000:])


def post(port, fmt, form, idem, timeout=10):
    """The acknowledged id, or None when there was no answer."""
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/open311/v2/requests.{fmt}", data=data, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    if idem:
        req.add_header("Idempotency-Key", idem)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            if r.status != 201:
                raise SystemExit(f"FAIL status {r.status}: {body[:300]}")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"FAIL status {e.code}: {e.read()[:300]}")
    except (urllib.error.URLError, ConnectionError, OSError):
        return None
    if fmt == "json":
        import json
        return json.loads(body)[0]["service_request_id"]
    return ET.fromstring(body).find("request/service_request_id").text


def main():
    govgrid, project, keys, key, work = sys.argv[1:6]
    count = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
    kills = int(sys.argv[7]) if len(sys.argv) > 7 else 10
    log_path = os.path.join(work, "serve.log")
    rng = random.Random(20261207)
    kill_at = set(rng.sample(range(count), kills))
    proc, port = start(govgrid, project, keys, log_path)
    acked = {}          # submission -> ids answered
    unanswered_first = 0
    for i in range(count):
        form = {"api_key": key, "service_code": "CG0202", "lat": f"{40.0 + rng.random() * 0.02:.6f}",
                "long": f"{116.0 + rng.random() * 0.02:.6f}", "description": f"retry test {i}",
                "email": f"r{i}@example.cn"}
        idem = f"retry-{i}" if i % 2 == 0 else None
        fmt = "json" if i % 4 < 2 else "xml"
        ids = []
        if i in kill_at:
            # The first send in flight when the service dies.
            box = []
            t = threading.Thread(target=lambda: box.append(post(port, fmt, form, idem, timeout=5)))
            t.start()
            time.sleep(rng.random() * 0.004)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            t.join()
            first = box[0] if box else None
            proc, port = start(govgrid, project, keys, log_path)
        else:
            first = post(port, fmt, form, idem)
        if first is None:
            unanswered_first += 1
        else:
            ids.append(first)
        second = post(port, "xml" if fmt == "json" else "json", form, idem)
        if second is None:
            raise SystemExit(f"FAIL submission {i}: the resend got no answer")
        ids.append(second)
        acked[i] = ids
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    db = sqlite3.connect(project)
    stored = db.execute("SELECT count(*) FROM incident WHERE description LIKE 'retry test %'").fetchone()[0]
    stored_ids = {r[0] for r in db.execute("SELECT request_id FROM incident")}
    fail = 0
    differ = [i for i, ids in acked.items() if len(set(ids)) != 1]
    missing = [i for i, ids in acked.items() if ids[0] not in stored_ids]
    twice = sum(1 for ids in acked.values() if len(ids) == 2)
    print(f"{count} submissions sent twice ({kills} first sends cut by SIGKILL, {unanswered_first} of them"
          f" unanswered): {stored} incidents stored; {twice} acknowledged twice with the same id")
    if stored != count:
        print(f"FAIL {stored} incidents stored for {count} submissions")
        fail = 1
    if differ:
        print(f"FAIL different ids for one submission: {[(i, acked[i]) for i in differ[:5]]}")
        fail = 1
    if missing:
        print(f"FAIL acknowledged and not stored: {missing[:5]}")
        fail = 1
    return fail


if __name__ == "__main__":
    sys.exit(main())
