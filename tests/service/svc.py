# Shared by the Python service tests (the standard library only): a fresh
# project, `govgrid serve` started on a free port, raw HTTP over sockets.
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

FAILURES = []


def check(ok, what):
    """Records a failed expectation (the test goes on, and fails at the end)."""
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILURES.append(what)
    return ok


def finish():
    print(f"{len(FAILURES)} failed" if FAILURES else "all passed", flush=True)
    sys.exit(1 if FAILURES else 0)


def make_project(govgrid, fixtures, work):
    """A project with the four square grids and their roster, and a keys
    file with a read-write key. Returns (project, keys, key)."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    p = os.path.join(work, "p.sqlite")
    keys = os.path.join(work, "keys")
    run = lambda *a: subprocess.run([govgrid, *a], check=True, capture_output=True, text=True).stdout
    run("init", p, "--quiet")
    run("import", p, "grids", os.path.join(fixtures, "square_grids.csv"), "--quiet")
    run("import", p, "workers", os.path.join(fixtures, "square_workers.csv"), "--quiet")
    key = run("key", "new", keys, "--name", "test", "--rights", "read,write", "--quiet").strip()
    return p, keys, key


class Service:
    """`govgrid serve` on 127.0.0.1 and a free port, with extra options."""

    def __init__(self, govgrid, project, keys, log, *options):
        self.log = log
        self.logfile = open(log, "w")
        self.proc = subprocess.Popen(
            [govgrid, "serve", project, "--listen", "127.0.0.1:0", "--keys", keys, "--threads", "2", *options],
            stderr=self.logfile)
        self.port = None
        for _ in range(200):
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(log).read())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if self.port is None:
            print("FAIL the service did not start:\n" + open(log).read())
            self.proc.kill()
            sys.exit(1)

    def stop(self, timeout=30):
        """SIGTERM; returns (exit status, seconds taken)."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.logfile.close()
        return rc, time.monotonic() - t0

    def sanitizer_quiet(self):
        text = open(self.log).read()
        return "ERROR: AddressSanitizer" not in text and "runtime error" not in text and \
            "WARNING: ThreadSanitizer" not in text


def connect(port, source="127.0.0.1", timeout=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_answer(s, timeout=10):
    """Reads one HTTP answer (headers, then Content-Length bytes) or what
    arrives until the peer closes. Returns (status or None, headers text,
    body bytes, closed)."""
    s.settimeout(timeout)
    data = b""
    closed = False
    try:
        while b"\r\n\r\n" not in data:
            b = s.recv(65536)
            if not b:
                closed = True
                break
            data += b
        if b"\r\n\r\n" in data:
            head, body = data.split(b"\r\n\r\n", 1)
            m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            n = int(m.group(1)) if m else None
            while not closed and (n is None or len(body) < n):
                b = s.recv(65536)
                if not b:
                    closed = True
                    break
                body += b
        else:
            head, body = data, b""
    except (socket.timeout, ConnectionResetError):
        head, body = data, b""
        if b"\r\n\r\n" in data:
            head, body = data.split(b"\r\n\r\n", 1)
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(m.group(1)) if m else None), head.decode("latin-1"), body, closed


def request(port, method, path, body=b"", headers=(), source="127.0.0.1", timeout=10):
    """One request on a fresh connection. Returns (status, body, seconds)."""
    t0 = time.monotonic()
    try:
        s = connect(port, source, timeout)
        lines = [f"{method} {path} HTTP/1.1", "Host: test", "Connection: close", *headers]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status, _, answer, _ = read_answer(s, timeout)
        s.close()
    except OSError:
        status, answer = None, b""
    return status, answer, time.monotonic() - t0


def form_post(port, key, fmt="json", **fields):
    """POST /open311/v2/requests.FMT with a form. Returns (status, body, seconds)."""
    from urllib.parse import urlencode
    body = urlencode({"api_key": key, "service_code": "CG0202", "lat": "40.005", "long": "116.005", **fields}).encode()
    return request(port, "POST", f"/open311/v2/requests.{fmt}", body,
                   ["Content-Type: application/x-www-form-urlencoded"])


def raise_file_limit(n):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class WriteLock:
    """Holds the project's SQLite write lock from this process, as a long
    import or partition in another process does: BEGIN IMMEDIATE, then
    COMMIT after `seconds` (or at release())."""

    def __init__(self, project, seconds):
        import sqlite3
        import threading
        self.db = sqlite3.connect(project, isolation_level=None, check_same_thread=False, timeout=10)
        self.db.execute("BEGIN IMMEDIATE")
        self.released = threading.Event()
        self.timer = threading.Timer(seconds, self.release)
        self.timer.start()

    def release(self):
        if not self.released.is_set():
            self.released.set()
            self.db.execute("COMMIT")
            self.db.close()
        self.timer.cancel()
