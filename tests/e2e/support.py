"""What the phone scenarios share: the browser's settings, the live server, a teacher's link,
and the screenshots kept as test artefacts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page
from sqlalchemy import Engine

from config.settings import PROJECT_ROOT
from privacy.keys import load_or_generate
from privacy.vault import install_key_ring

CHROMIUM = Path("/usr/bin/chromium")
# As root, in a closed network: no sandbox, no GPU, and none of Chromium's own traffic, or it
# hangs on lookups of Google's hosts. Playwright adds --headless and a fresh --user-data-dir.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A mid-range Android phone opening the link inside WeChat.
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/150.0.7871.100 Mobile Safari/537.36 "
    "XWEB/1300289 MMWEBSDK/20240404 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64"
)
VIEWPORT = {"width": 390, "height": 844}
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
SERVER_START_SECONDS = 60


@dataclass
class LiveServer:
    """The app under gunicorn: where it listens and what it runs on."""

    backend: str
    base_url: str
    instance: Path
    database_url: str
    engine: Engine

    def install_keys(self) -> None:
        """Make this instance's key ring the one this (test) process seals with."""
        install_key_ring(load_or_generate(self.instance / "keys.json", may_generate=False))


@dataclass
class TeacherLink:
    """One teacher's committed invitation: the link, the phone ending and canaries."""

    invitation_id: uuid.UUID
    url: str
    phone: str
    name: str
    staff_no: str
    battery: list[str] = field(default_factory=list)

    @property
    def digits(self) -> str:
        """The last four digits of the roster phone (the identity answer)."""
        return self.phone[-4:]


class Shots:
    """Numbered full-page screenshots of one scenario, kept as test artefacts."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder = folder
        self.prefix = prefix
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{prefix}-*.png"):
            old.unlink()

    def take(self, page: Page, name: str) -> Path:
        """Save the whole page as ``<prefix>-NN-<name>.png``."""
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True, scale="css")
        return path
