#!/usr/bin/python3
"""A request framed two ways is refused: two Content-Length headers (the
same or different values), or Content-Length with Transfer-Encoding, are
a 400 and the connection is closed; nothing is stored. (libmicrohttpd
takes the first length, or the chunks, where a proxy in front may take
the other and see a second request in the body.)

    framing_test.py GOVGRID FIXTURES_DIR WORK_DIR
"""
import os
import sqlite3
import sys
from urllib.parse import urlencode

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402

govgrid, fixtures, work = sys.argv[1:4]
project, keys, key = svc.make_project(govgrid, fixtures, work)
service = svc.Service(govgrid, project, keys, os.path.join(work, "serve.log"))
port = service.port
body = urlencode({"api_key": key, "service_code": "CG0202", "lat": "40.005", "long": "116.005"}).encode()
form = b"Content-Type: application/x-www-form-urlencoded\r\n"


def raw(head, payload):
    s = svc.connect(port)
    s.sendall(head + b"\r\n" + payload)
    status, _, answer, closed = svc.read_answer(s, 5)
    if not closed:  # the connection must end after the answer
        s.settimeout(2)
        try:
            closed = s.recv(1) == b""
        except OSError:
            closed = True
    s.close()
    return status, answer, closed


post = b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: test\r\n" + form
chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
cases = [
    ("two different Content-Length headers",
     post + b"Content-Length: %d\r\nContent-Length: %d\r\n" % (len(body), len(body) + 5), body),
    ("two equal Content-Length headers",
     post + b"Content-Length: %d\r\nContent-Length: %d\r\n" % (len(body), len(body)), body),
    ("Transfer-Encoding: chunked with Content-Length",
     post + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", chunked),
    ("Content-Length with Transfer-Encoding: chunked",
     post + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(chunked), chunked),
    ("a GET with two Content-Length headers",
     b"GET /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nContent-Length: 0\r\n", b""),
]
for name, head, payload in cases:
    status, answer, closed = raw(head, payload)
    svc.check(status == 400 and closed, f"{name}: {status}, connection closed: {closed}: {answer[:120]!r}")
stored = sqlite3.connect(project).execute("SELECT count(*) FROM incident").fetchone()[0]
svc.check(stored == 0, f"nothing was stored ({stored} incidents)")
# The same request framed once is stored, chunked or not.
status, answer, _ = raw(post + b"Content-Length: %d\r\nConnection: close\r\n" % len(body), body)
svc.check(status == 201, f"one Content-Length: {status}")
status, answer, _ = raw(post + b"Transfer-Encoding: chunked\r\nConnection: close\r\n", chunked)
svc.check(status == 201, f"chunked alone: {status}")
rc, _ = service.stop()
svc.check(rc == 0 and service.sanitizer_quiet(), f"the service stopped cleanly (exit {rc})")
svc.finish()
