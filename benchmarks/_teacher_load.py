"""The load generator of ``python -m benchmarks submit``: many teachers completing the census at
once over plain HTTP, as a phone would — landing, identity, PIN, consent, every page, submit,
receipt — following each redirect and reading each form's CSRF token from the page.

Run as ``python -m benchmarks._teacher_load PLAN.json`` in a process of its own; it prints one
JSON line of results. ``PLAN.json`` holds the server address, when to start and stop, how many
teachers at once (threads), and either the teachers' links and answers (``mode: survey``) or
nothing (``mode: ping``, the bare framework's endpoint). Only 127.0.0.1 is ever contacted, and
every loop is bounded by the deadline, the number of links and a timeout on each request.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

TIMEOUT = 30.0
CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')
RECEIPT = re.compile(rb'id="receipt" class="receipt">([^<]+)<')
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile MicroMessenger/8.0.49"
MAX_REDIRECTS = 3


class SurveyFailed(Exception):
    """A step answered something a browser would not expect; the survey stops there."""


@dataclass
class Reply:
    """One HTTP answer."""

    status: int
    location: str
    body: bytes


@dataclass
class Tally:
    """What one thread saw; merged at the end."""

    requests: int = 0
    surveys: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    submit_ms: list[float] = field(default_factory=list)
    receipts: dict[str, str] = field(default_factory=dict)


class Browser:
    """One teacher's phone: its own cookie jar, one connection per request (as gunicorn's sync
    workers close each connection anyway). HTTP/1.1 over a plain socket, read to the server's
    close: a fraction of http.client's CPU, which shares the two cores with the server."""

    def __init__(self, host: str, port: int, tally: Tally) -> None:
        self.host, self.port, self.tally = host, port, tally
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> Reply:
        """Send one request; 5xx and transport failures raise SurveyFailed."""
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"User-Agent: {USER_AGENT}",
            "Accept-Language: zh-CN,zh;q=0.9",
            "Connection: close",
        ]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if fields is not None:
            body = urlencode(fields).encode("ascii")
            head.append("Content-Type: application/x-www-form-urlencoded")
            head.append(f"Content-Length: {len(body)}")
        self.tally.requests += 1
        try:
            with socket.create_connection((self.host, self.port), timeout=TIMEOUT) as sock:
                sock.sendall("\r\n".join(head).encode("ascii") + b"\r\n\r\n" + body)
                reply = self._read_reply(sock)
        except OSError as exc:
            raise SurveyFailed(f"transport:{type(exc).__name__}") from None
        if reply.status >= 500:
            raise SurveyFailed(f"http_{reply.status}")
        return reply

    def _read_reply(self, sock: socket.socket) -> Reply:
        """Read to the end of the connection (the server closes it) and parse the answer."""
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise SurveyFailed("transport:bad_status_line")
        headers = [line.partition(":")[::2] for line in header_lines]
        length = next((v.strip() for k, v in headers if k.lower() == "content-length"), None)
        if length is None or int(length) != len(body):
            raise SurveyFailed("transport:truncated")  # or chunked, which this client does not read
        location = ""
        for name, value in headers:
            if name.lower() == "set-cookie":
                cookie, _, _attributes = value.strip().partition(";")
                key, _, content = cookie.partition("=")
                self.cookies[key.strip()] = content
            elif name.lower() == "location":
                location = value.strip()
        return Reply(int(parts[1]), location, body)

    def open(self, path: str) -> Reply:
        """GET ``path`` and follow redirects to the page a browser would show (200)."""
        reply = self.request("GET", path)
        for _ in range(MAX_REDIRECTS):
            if reply.status not in (301, 302, 303):
                break
            reply = self.request("GET", urlsplit(reply.location).path)
        if reply.status != 200:
            raise SurveyFailed(f"get_{reply.status}")
        return reply

    def submit_form(self, path: str, page: Reply, fields: dict[str, str], expect: str) -> Reply:
        """POST a form with the CSRF token of ``page``; expect a redirect ending in ``expect``."""
        match = CSRF.search(page.body)
        if match is None:
            raise SurveyFailed("no_csrf_token")
        reply = self.request("POST", path, {"csrf_token": match.group(1).decode(), **fields})
        if reply.status != 303 or not urlsplit(reply.location).path.endswith(expect):
            raise SurveyFailed(f"post_{reply.status}{expect}")
        return reply

    def answer_page(self, path: str, page: Reply, fields: dict[str, str], expect: str) -> Reply:
        """POST a step's form; the reply is the page that comes next (200), which names its own
        address ``expect``, as a browser would show it."""
        match = CSRF.search(page.body)
        if match is None:
            raise SurveyFailed("no_csrf_token")
        reply = self.request("POST", path, {"csrf_token": match.group(1).decode(), **fields})
        if reply.status != 200 or f'rel="canonical" href="{expect}"'.encode() not in reply.body:
            raise SurveyFailed(f"page_{reply.status}{expect.rsplit('/', 1)[-1]}")
        return reply


def complete_survey(browser: Browser, teacher: dict[str, Any], pin: str) -> str:
    """Walk one teacher through the whole census; returns the receipt shown at the end."""
    base = f"/s/{teacher['token']}"
    if teacher["digits"] and teacher["digits"] in pin:
        pin = "7391" if pin != "7391" else "4826"  # a PIN holding the phone ending is refused
    browser.open(base)
    page = browser.open(f"{base}/confirm")
    # Identity, PIN and consent are each answered with the next step's page, as pages are.
    digits = {"digits": teacher["digits"]}
    page = browser.answer_page(f"{base}/confirm", page, digits, f"{base}/pin")
    page = browser.answer_page(f"{base}/pin", page, {"pin": pin, "repeat": pin}, f"{base}/consent")
    page = browser.answer_page(f"{base}/consent", page, {"decision": "agree"}, f"{base}/page/1")
    pages = teacher["pages"]
    for number, answers in enumerate(pages, start=1):
        after = f"/page/{number + 1}" if number < len(pages) else "/review"
        page = browser.answer_page(
            f"{base}/page/{number}", page, {**answers, "go": "next"}, f"{base}{after}"
        )
    started = time.perf_counter()
    browser.submit_form(f"{base}/submit", page, {}, "/done")
    browser.tally.submit_ms.append((time.perf_counter() - started) * 1000)
    done = browser.open(f"{base}/done")
    match = RECEIPT.search(done.body)
    if match is None:
        raise SurveyFailed("no_receipt")
    return match.group(1).decode()


def _survey_worker(
    plan: dict[str, Any], queue: list[int], lock: threading.Lock, tally: Tally
) -> None:
    host, port = plan["host"], plan["port"]
    while time.time() < plan["stop_at"]:
        with lock:
            if not queue:
                return
            index = queue.pop()
        teacher = plan["teachers"][index]
        try:
            receipt = complete_survey(Browser(host, port, tally), teacher, plan["pin"])
        except SurveyFailed as failed:
            tally.errors[str(failed)] += 1
            continue
        tally.receipts[teacher["token"]] = receipt
        tally.surveys += 1


def _ping_worker(plan: dict[str, Any], tally: Tally) -> None:
    browser = Browser(plan["host"], plan["port"], tally)
    while time.time() < plan["stop_at"]:
        try:
            reply = browser.request("GET", plan["path"])
            if reply.status != 200:
                tally.errors[f"get_{reply.status}"] += 1
        except SurveyFailed as failed:
            tally.errors[str(failed)] += 1


def run_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """Start the threads at ``start_at``, let them work until ``stop_at``, return the tallies."""
    tallies = [Tally() for _ in range(plan["threads"])]
    queue = list(range(len(plan.get("teachers", []))))[::-1]
    lock = threading.Lock()
    if plan["mode"] == "survey":
        threads = [
            threading.Thread(target=_survey_worker, args=(plan, queue, lock, t)) for t in tallies
        ]
    else:
        threads = [threading.Thread(target=_ping_worker, args=(plan, t)) for t in tallies]
    time.sleep(max(0.0, plan["start_at"] - time.time()))
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.time()
    errors: Counter[str] = Counter()
    for tally in tallies:
        errors.update(tally.errors)
    return {
        "started": started,
        "finished": finished,
        "requests": sum(t.requests for t in tallies),
        "surveys": sum(t.surveys for t in tallies),
        "errors": dict(errors),
        "submit_ms": [ms for t in tallies for ms in t.submit_ms],
        "receipts": {k: v for t in tallies for k, v in t.receipts.items()},
    }


def main(argv: list[str]) -> int:
    """Read the plan file named in ``argv``, run it, print the results as one JSON line."""
    with open(argv[0], encoding="utf-8") as fh:
        plan = json.load(fh)
    if plan["host"] != "127.0.0.1":
        raise SystemExit("the load generator only talks to 127.0.0.1")
    print(json.dumps(run_plan(plan)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
