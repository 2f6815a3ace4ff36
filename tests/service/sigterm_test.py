#!/usr/bin/python3
"""SIGTERM stops the service without waiting for clients still sending.

1. A slow upload (one body byte every half second) and an idle kept-alive
   connection: SIGTERM ends the process within 2 s (it waited 30 s for the
   upload).
2. A write being answered (queued behind another process's write lock,
   released after 2.5 s) finishes within the drain: its 201 is sent and the
   incident stored before the process exits.
3. A write whose lock is not released in time: with --drain 1 it is
   answered 503 and the process exits (within the drain and the store's
   busy timeout of 5 s, which the write in hand may be waiting out), with no
   connection left suspended.

    sigterm_test.py GOVGRID FIXTURES_DIR WORK_DIR
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

# ---- 1. a slow upload is not waited for ----
service = svc.Service(govgrid, project, keys, os.path.join(work, "serve-upload.log"))
upload = svc.connect(service.port)
upload.sendall(b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: test\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n")
stop = threading.Event()


def trickle():
    while not stop.wait(0.5):
        try:
            upload.sendall(b"a")
        except OSError:
            return


feeder = threading.Thread(target=trickle, daemon=True)
feeder.start()
idle = svc.connect(service.port)
idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
first, _, _, _ = svc.read_answer(idle, 5)
time.sleep(1.5)
rc, secs = service.stop(timeout=10)
stop.set()
feeder.join()
svc.check(first == 200 and rc == 0 and secs < 2.0,
          f"SIGTERM during a slow upload: exit {rc} after {secs:.2f} s (at most 2 s)")
svc.check(service.sanitizer_quiet(), "no sanitizer report")

def post_during_sigterm(log, lock_seconds, description, *options):
    """A POST waiting for the write lock (held lock_seconds by another
    process) when SIGTERM comes: its status, whether it was stored, and
    how the service ended (exit code, seconds)."""
    service = svc.Service(govgrid, project, keys, os.path.join(work, log), *options)
    lock = svc.WriteLock(project, lock_seconds)
    result = {}
    poster = threading.Thread(target=lambda: result.update(post=svc.form_post(service.port, key,
                                                                              description=description)))
    poster.start()
    time.sleep(0.5)
    rc, secs = service.stop(timeout=15)
    poster.join()
    lock.release()
    stored = sqlite3.connect(project).execute("SELECT count(*) FROM incident WHERE description = ?",
                                              (description,)).fetchone()[0]
    return result["post"][0], stored, rc, secs, service


# ---- 2. a write being answered finishes ----
status, stored, rc, secs, service = post_during_sigterm("serve-drain.log", 2.5, "drain")
svc.check(status == 201 and stored == 1, f"a write queued at SIGTERM is answered {status} and stored ({stored})")
svc.check(rc == 0 and secs < 4.0, f"... and the service exits {rc} after {secs:.2f} s (the lock held 2 s more)")
svc.check(service.sanitizer_quiet(), "no sanitizer report")

# ---- 3. the drain is bounded ----
status, stored, rc, secs, service = post_during_sigterm("serve-bounded.log", 30, "late", "--drain", "1")
svc.check(status == 503 and stored == 0, f"a write still waiting for the lock after the drain is answered {status}")
svc.check(rc == 0 and secs < 9, f"... and the service exits {rc} after {secs:.2f} s (drain 1 s + the store's busy timeout 5 s)")
svc.check(service.sanitizer_quiet(), "no sanitizer report")
svc.finish()
