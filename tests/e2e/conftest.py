"""A real server and a real phone browser: gunicorn serving the app on 127.0.0.1 against a
committed database of its own, and Debian's headless Chromium driven by Playwright.

One server per backend and one browser per test session; every scenario opens its own browser
contexts (a context is a fresh phone: no cookies, no cache). Screenshots land under
``test-artifacts/e2e/`` (printed by each scenario), so a person can look at the pages as a
teacher's phone showed them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from app import create_app
from census.models import Wave
from config.settings import PROJECT_ROOT
from db import make_engine
from devservices.postgres import free_port
from ops import migrations
from tests.support.apps import build_settings
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE_USER_AGENT,
    SERVER_START_SECONDS,
    VIEWPORT,
    LiveServer,
    Shots,
    TeacherLink,
)
from tests.support.demo_site import DemoSite, StaffBrowsers, seed_demo_site
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.org import make_school, make_teacher


def _server_env(instance: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINAN_")}
    env.update(
        XINAN_INSTANCE_PATH=str(instance),
        XINAN_DATABASE_URL=database_url,
        XINAN_GENERATE_KEYS="false",
        XINAN_DEMO="false",
        XINAN_PROXY_COUNT="0",
        XINAN_BASE_URL="https://xinan.test",
        XINAN_SCHEDULER="off",
        XINAN_LOG_FILE=str(instance / "xinan.log"),
    )
    return env


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no answer from {url}:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


@contextmanager
def _gunicorn(root: Path, instance: Path, url: str) -> Iterator[str]:
    """gunicorn (2 sync workers, as in production) serving the app at the returned address."""
    port = free_port()
    log = root / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
               "--error-logfile", "-", "app:create_app()"]  # fmt: skip
    with log.open("wb") as sink:
        server = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=_server_env(instance, url),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(f"{base_url}/healthz", server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def live_server(
    backend: str, make_database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app served by gunicorn (2 sync workers, as in production) on a migrated database."""
    root = tmp_path_factory.mktemp(f"e2e-{backend}")
    instance = root / "instance"
    url = make_database_url(backend)
    engine = make_engine(url)
    migrations.upgrade(engine)
    # The first app generates the instance's key ring; the server loads the same file.
    create_app(build_settings(instance, url)).extensions["xinan.db"].dispose()
    try:
        with _gunicorn(root, instance, url) as base_url:
            yield LiveServer(backend, base_url, instance, url, engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def demo_site(
    backend: str, make_database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSite]:
    """A second server with the synthetic demo seeded: staff of every role, a released report,
    an open wave with cases and outreach, a draft wave; for the pages staff see."""
    root = tmp_path_factory.mktemp(f"e2e-demo-{backend}")
    instance = root / "instance"
    url = make_database_url(backend)
    engine = make_engine(url)
    migrations.upgrade(engine)
    app = create_app(build_settings(instance, url))
    try:
        with app.app_context():
            data = seed_demo_site(app)
            app.extensions["xinan.db"].sessions.remove()
        app.extensions["xinan.db"].dispose()
        with _gunicorn(root, instance, url) as base_url:
            yield DemoSite(LiveServer(backend, base_url, instance, url, engine), data)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def open_wave(live_server: LiveServer) -> int:
    """One open wave with the default battery on the server's database (committed)."""
    app = create_app(build_settings(live_server.instance, live_server.database_url))
    database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        wave: Wave = make_wave(session, name="端到端测试普查")
        wave_id = wave.id
        session.commit()
        database.sessions.remove()
    database.dispose()
    return wave_id


@pytest.fixture
def teacher_link(live_server: LiveServer, open_wave: int) -> TeacherLink:
    """A new teacher with canary identity fields, invited to the open wave (committed)."""
    n = uuid.uuid4().int % 10**8
    name, staff_no, phone = f"金丝雀端到端{n}", f"CANARYE2E{n:08d}", f"1397{n:07d}"[:11]
    app = create_app(build_settings(live_server.instance, live_server.database_url))
    database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        school = make_school(session, name="端到端实验小学")
        teacher = make_teacher(session, school, name=name, staff_no=staff_no, phone=phone)
        wave = session.get(Wave, open_wave)
        assert wave is not None
        invitation, token = make_invitation(session, wave, teacher)
        link = TeacherLink(
            invitation.id, f"{live_server.base_url}/s/{token}", phone, name, staff_no,
            list(wave.battery),
        )  # fmt: skip
        session.commit()
        database.sessions.remove()
    database.dispose()
    return link


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver for this session."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session."""
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000
    )
    yield chromium
    chromium.close()


@pytest.fixture
def new_phone(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of fresh phones (browser contexts); each is closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(
            viewport=VIEWPORT,  # type: ignore[arg-type]
            screen=VIEWPORT,  # type: ignore[arg-type]
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            user_agent=PHONE_USER_AGENT,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest, live_server: LiveServer) -> Shots:
    """Where this scenario's screenshots go (the folder is printed for the test report)."""
    words = request.node.originalname.removeprefix("test_").split("_")
    prefix = "-".join([live_server.backend, *words[:3]])
    print(f"screenshots: {ARTIFACTS}/{prefix}-*.png")
    return Shots(ARTIFACTS, prefix)


@pytest.fixture(scope="session")
def staff_browsers(browser: Browser, demo_site: DemoSite) -> Iterator[StaffBrowsers]:
    """Logged-in browsers of the demo's staff, one per login, kept for the session."""
    browsers = StaffBrowsers(browser, demo_site)
    yield browsers
    browsers.close()
