#!/usr/bin/python3
"""One client cannot shut out the others, and a request must arrive whole
in time.

1. With the default limits, 1,100 connections from 127.0.0.1 that each send
   a request line and then a header line every second (which keeps them
   under the idle timeout): another address, 127.0.0.2, still has /healthz
   answered at once, and 127.0.0.1 holds no more connections than the
   per-client limit (64).
2. With --request-timeout 3: a request whose headers trickle, and one whose
   body trickles, are answered 408 and closed about 3 s after their first
   byte; a kept-alive connection idle for 4 s, and a new one idle for 4 s
   before its first byte, are still answered (the deadline runs from a
   request's first byte, not from the connection).

    clients_test.py GOVGRID FIXTURES_DIR WORK_DIR
"""
import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402

govgrid, fixtures, work = sys.argv[1:4]
project, keys, key = svc.make_project(govgrid, fixtures, work)
TRICKLERS = 1100
svc.raise_file_limit(TRICKLERS + 200)

# ---- 1. many trickling connections from one address ----
service = svc.Service(govgrid, project, keys, os.path.join(work, "serve-limits.log"))
port = service.port
socks = []
stop = threading.Event()
for _ in range(TRICKLERS):
    try:
        s = svc.connect(port, "127.0.0.1", timeout=0.5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        socks.append(s)
    except OSError:
        pass


def trickle():
    while not stop.wait(1.0):
        for s in socks:
            try:
                s.sendall(b"X-Trickle: 1\r\n")
            except OSError:
                pass


feeder = threading.Thread(target=trickle, daemon=True)
feeder.start()
time.sleep(1.5)
times = []
statuses = []
for _ in range(20):
    status, _, secs = svc.request(port, "GET", "/healthz", source="127.0.0.2", timeout=3)
    statuses.append(status)
    times.append(secs)
svc.check(all(st == 200 for st in statuses),
          f"with {len(socks)} trickling connections from 127.0.0.1, 127.0.0.2 gets /healthz answered "
          f"(statuses {sorted(set(map(str, statuses)))})")
svc.check(max(times) < 1.0, f"... and quickly (slowest {max(times) * 1000:.0f} ms)")


def still_open(s):
    s.setblocking(False)
    try:
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


held = sum(1 for s in socks if still_open(s))
svc.check(held <= 64, f"127.0.0.1 holds {held} connections (the per-client limit is 64)")
stop.set()
feeder.join()
for s in socks:
    s.close()
rc, _ = service.stop()
svc.check(rc == 0 and service.sanitizer_quiet(), f"the service stopped cleanly (exit {rc})")

# ---- 2. the request deadline ----
service = svc.Service(govgrid, project, keys, os.path.join(work, "serve-deadline.log"), "--request-timeout", "3")
port = service.port
results = {}


def trickle(first, drip, key):
    """Sends first, then drip over and over for up to 10 s, reading what
    comes back; records the answer's start and when the connection ended."""
    s = svc.connect(port)
    t0 = time.monotonic()
    s.sendall(first)
    s.settimeout(0.5)
    data = b""
    while time.monotonic() - t0 < 10:
        try:
            s.sendall(drip)
        except OSError:
            pass
        try:
            b = s.recv(4096)
            if not b:
                break
            data += b
        except socket.timeout:
            pass
        except OSError:
            break
    results[key] = (data[:12], time.monotonic() - t0)


def trickled_headers():
    trickle(b"GET /healthz HTTP/1.1\r\nHost: test\r\n", b"X-Trickle: 1\r\n", "headers")


def trickled_body():
    trickle(b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n", b"a", "body")


def idle_kept_alive():
    s = svc.connect(port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    first, _, _, _ = svc.read_answer(s, 5)
    time.sleep(4)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
    second, _, _, _ = svc.read_answer(s, 5)
    results["kept-alive"] = (first, second)


def idle_before_first_byte():
    s = svc.connect(port)
    time.sleep(4)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
    status, _, _, _ = svc.read_answer(s, 5)
    results["idle-new"] = status


threads = [threading.Thread(target=f) for f in (trickled_headers, trickled_body, idle_kept_alive,
                                                  idle_before_first_byte)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for name in ("headers", "body"):
    head, secs = results[name]
    svc.check(head.startswith(b"HTTP/1.1 408") and 2.5 <= secs <= 4.5,
              f"a request whose {name} trickle is answered {head!r} and closed after {secs:.1f} s (deadline 3 s)")
svc.check(results["kept-alive"] == (200, 200),
          f"a kept-alive connection idle for 4 s is answered again: {results['kept-alive']}")
svc.check(results["idle-new"] == 200, f"a new connection idle for 4 s before its request is answered: "
          f"{results['idle-new']}")
status, _, _ = svc.request(port, "GET", "/healthz")
svc.check(status == 200, f"the service still answers: {status}")
rc, _ = service.stop()
svc.check(rc == 0 and service.sanitizer_quiet(), f"the service stopped cleanly (exit {rc})")
svc.finish()
