#!/usr/bin/python3
"""A slice of a replayed year (tools/synth/year.c) through `govgrid serve`
(Python's standard library only), with the service killed with SIGKILL and
restarted while it runs.

    caseloop_http.py GOVGRID PROJECT KEYS WRITE_KEY TRANSITIONS WORK_DIR [--clients 8] [--kills 20]

The incidents are shared among the clients (incident N to client N mod
CLIENTS), each client doing its incidents' lines in the file's order on
one HTTP/1.1 connection: a report as POST /open311/v2/requests.json (form,
Idempotency-Key "r-N"), a transition as POST /v1/cases/ID (JSON,
Idempotency-Key "t-N-SEQ", SEQ its place in the incident's lines). A
request that gets no answer (connection refused or cut, the service
killed) or a 503 is sent again, with the same key, until it is answered;
any other answer than 201 (report) or 200 with the state the file expects
(transition) is a failure. KILLS times, spread over the run by progress,
the service is killed with SIGKILL and started again on a new port.

Writes WORK_DIR/acked.txt (the key of every request answered 2xx, for
caseloop_verify.py --acked) and WORK_DIR/serve.log; prints transitions
per second, p50/p99 latency per request kind (answered sends only),
the sends retried and the resends answered as such. Exit status 1 on a
failure.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

args = sys.argv[1:]
govgrid, project, keys, key, transitions, work = args[:6]
clients = int(args[args.index("--clients") + 1]) if "--clients" in args else 8
kills = int(args[args.index("--kills") + 1]) if "--kills" in args else 20
os.makedirs(work, exist_ok=True)
log_path = os.path.join(work, "serve.log")

service = {"proc": None, "port": None}
service_lock = threading.Lock()


def start():
    log = open(log_path, "a")
    seen = log.tell()
    proc = subprocess.Popen([govgrid, "serve", project, "--listen", "127.0.0.1:0", "--keys", keys, "--threads", "2"],
                            stderr=log, stdout=subprocess.DEVNULL)
    for _ in range(400):
        with open(log_path) as f:
            f.seek(seen)
            found = re.findall(r"listening on 127\.0\.0\.1:(\d+)", f.read())
        if found:
            return proc, int(found[-1])
        if proc.poll() is not None:
            break
        time.sleep(0.025)
    sys.exit("FAIL the service did not start: " + open(log_path).read()[-2000:])


# The slice, client by client, in the file's order.
queues = [[] for _ in range(clients)]
seq_of = {}
total = 0
for line in open(transitions, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    n = int(f[1])
    fields = dict(x.split("=", 1) for x in f[3:])
    seq_of[n] = seq_of.get(n, 0) + 1
    queues[n % clients].append((n, seq_of[n], f[2], fields))
    total += 1

progress = {"answered": 0}
progress_lock = threading.Lock()
failures = []
acked = []
latencies = {"report": [], "transition": []}
counts = {"retried": 0, "replayed": 0}
stop = threading.Event()


def send(conn_box, method, path, body, headers):
    """(status, headers, body, seconds) of one send, or None with no answer."""
    with service_lock:
        port = service["port"]
    t0 = time.monotonic()
    try:
        if conn_box[0] is None or conn_box[1] != port:
            if conn_box[0] is not None:
                conn_box[0].close()
            conn_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn_box[1] = port
        conn_box[0].request(method, path, body=body, headers=headers)
        r = conn_box[0].getresponse()
        data = r.read()
        if (r.getheader("Connection") or "").lower() == "close":
            conn_box[0].close()
            conn_box[0] = None
        return r.status, r, data, time.monotonic() - t0
    except (OSError, http.client.HTTPException):
        if conn_box[0] is not None:
            conn_box[0].close()
        conn_box[0] = None
        return None


def client(k):
    conn_box = [None, None]
    ids = {}
    mine_acked, mine_lat = [], {"report": [], "transition": []}
    retried = replayed = 0
    broken = set()
    for n, seq, action, fields in queues[k]:
        if n in broken or stop.is_set():
            continue
        if action == "report":
            idem = f"r-{n}"
            form = {"api_key": key, "service_code": fields["item"], "description": fields["description"]}
            if "lon" in fields:
                form["lat"], form["long"] = fields["lat"], fields["lon"]
            else:
                form["address_string"] = fields["address"]
            pairs = list(form.items())
            for pair in fields.get("attrs", "").split(";"):
                if ":" in pair:
                    c, v = pair.split(":", 1)
                    pairs.append((f"attribute[{c}]", v))
            body = urllib.parse.urlencode(pairs)
            path = "/open311/v2/requests.json"
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": idem}
            kind, ok_status = "report", 201
        else:
            idem = f"t-{n}-{seq}"
            o = {"action": action}
            for name, member in (("note", "note"), ("reason", "reason"), ("handler", "to"), ("deadline", "deadline"),
                                 ("review_on", "review_on"), ("satisfaction", "satisfaction")):
                if name in fields:
                    o[member] = fields[name]
            for flag in ("approve", "on_site", "accountability"):
                if flag in fields:
                    o[flag] = True
            body = json.dumps(o)
            path = f"/v1/cases/{ids[n]}"
            headers = {"Content-Type": "application/json", "X-API-Key": key, "Idempotency-Key": idem}
            kind, ok_status = "transition", 200
        attempts = 0
        while True:
            attempts += 1
            got = send(conn_box, "POST", path, body, headers)
            if got is None or got[0] == 503:
                if stop.is_set():
                    break
                time.sleep(0.02 if got is None else 0.05)
                continue
            status, r, data, secs = got
            if status != ok_status:
                failures.append(f"year incident {n} {action} (line {seq} of it): {status} {data[:300]!r}")
                broken.add(n)
                break
            answer = json.loads(data)
            if kind == "report":
                ids[n] = answer[0]["service_request_id"]
            elif answer["state"] != fields["expect"]:
                failures.append(f"year incident {n} {action}: state {answer['state']}, expected {fields['expect']}")
                broken.add(n)
                break
            if attempts > 1:
                retried += 1
            if (r.getheader("Idempotent-Replayed") or "") == "true":
                replayed += 1
            mine_acked.append(idem)
            mine_lat[kind].append(secs)
            with progress_lock:
                progress["answered"] += 1
            break
    if conn_box[0] is not None:
        conn_box[0].close()
    with progress_lock:
        acked.extend(mine_acked)
        for kind in mine_lat:
            latencies[kind].extend(mine_lat[kind])
        counts["retried"] += retried
        counts["replayed"] += replayed


def killer():
    """Kills the service at even steps of the progress, restarting it."""
    done = 0
    while done < kills and not stop.is_set():
        with progress_lock:
            answered = progress["answered"]
        if answered >= total * (done + 1) / (kills + 1):
            with service_lock:
                proc = service["proc"]
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc, port = start()
            with service_lock:
                service["proc"], service["port"] = proc, port
            done += 1
        else:
            time.sleep(0.01)
    return done


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


def main():
    open(log_path, "w").close()
    proc, port = start()
    service["proc"], service["port"] = proc, port
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    kill_result = {}
    kt = threading.Thread(target=lambda: kill_result.setdefault("kills", killer()))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    kt.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    stop.set()
    kt.join()
    with service_lock:
        proc = service["proc"]
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    with open(os.path.join(work, "acked.txt"), "w") as f:
        f.write("\n".join(acked) + "\n")
    reports, moves = len(latencies["report"]), len(latencies["transition"])
    print(f"{clients} clients, {kill_result.get('kills', 0)} SIGKILLs: {reports} reports and {moves} transitions"
          f" answered of {total} lines in {elapsed:.1f} s: {moves / elapsed:.0f} transitions/s,"
          f" {(reports + moves) / elapsed:.0f} requests/s")
    for kind in ("transition", "report"):
        print(f"  {kind}: p50 {pct(latencies[kind], 50) * 1000:.1f} ms, p99 {pct(latencies[kind], 99) * 1000:.1f} ms")
    print(f"  sends retried after no answer or 503: {counts['retried']}; answered as resends (Idempotent-Replayed):"
          f" {counts['replayed']}")
    for f in failures[:10]:
        print("FAIL " + f)
    if len(failures) > 10:
        print(f"FAIL ... {len(failures)} failures in all")
    return 1 if failures or reports + moves != total else 0


if __name__ == "__main__":
    sys.exit(main())
