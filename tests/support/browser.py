"""What the browser scenarios share: the browser's settings, the live server, a teacher's link,
the screenshots kept as test artefacts, and the axe-core audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from sqlalchemy import Engine

from config.settings import PROJECT_ROOT
from privacy.keys import KeyRing, load_or_generate

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
DESK = {"width": 1280, "height": 800}
# WCAG 1.4.10: 1280 CSS px zoomed to 400% is 320 CSS px wide; nothing may scroll sideways then.
REFLOW = {"width": 320, "height": 640}
# axe-core tags each rule with the success criteria it checks: WCAG 2.2 levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
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

    def key_ring(self) -> KeyRing:
        """The server's key ring (its instance's), for the test process to open cells with."""
        return load_or_generate(self.instance / "keys.json", may_generate=False)


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

    def take(self, page: Page, name: str, full_page: bool = True) -> Path:
        """Save the whole page (or what the window shows) as ``<prefix>-NN-<name>.png``."""
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page, scale="css")
        return path


# Whatever scrolls sideways, beside the page itself: each must be a region a keyboard can
# focus (tabindex 0), with a name (WCAG 2.1.1, 1.3.1); the page itself must not (WCAG 1.4.10).
SIDEWAYS = r"""() => {
  const out = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) {
    out.push(`the page scrolls sideways: ${page.scrollWidth}px in ${window.innerWidth}px`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (!["auto", "scroll"].includes(style.overflowX) || el.scrollWidth <= el.clientWidth) continue;
    const named = el.getAttribute("role") === "region"
      && (el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby"));
    if (el.tabIndex < 0 || !named) {
      const tag = el.outerHTML.replace(/\s+/g, " ").slice(0, 80);
      out.push(`scrolls sideways without a focusable named region: ${tag}`);
    }
  }
  return out;
}"""


class AxeAudit:
    """axe-core over many pages, as each is in the browser at that moment (the script comes in
    the pinned axe-playwright-python wheel; nothing is fetched). Every violation is kept with
    the page it was seen on, so that one failure lists every finding of a walk. Besides axe:
    headers without text, and anything scrolling sideways (``SIDEWAYS``)."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.checked: list[str] = []
        self.findings: list[str] = []

    def check(self, page: Page, where: str, sample: str = "") -> None:
        """Note every WCAG 2.2 A/AA violation on the page: rule, help text, target selectors.

        ``sample``: a selector of repeats (say, the report's 100th table from the same template
        loop) that axe skips, to keep the run short; the checks besides axe still see them."""
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        context = {"exclude": [[sample]]} if sample else None
        response = self.axe.run(page, context=context, options=options).response
        self.checked.append(where)
        for violation in response["violations"]:
            targets = " | ".join(_selector(node["target"]) for node in violation["nodes"])
            self.findings.append(
                f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}"
                f" -> {targets}"
            )
        empty = page.eval_on_selector_all(
            "th", "cells => cells.filter(c => !c.textContent.trim()).map(c => c.outerHTML)"
        )
        if empty:
            self.findings.append(f"{where}: {len(empty)} table header(s) without text: {empty[0]}")
        self.findings += [f"{where}: {problem}" for problem in page.evaluate(SIDEWAYS)]

    def assert_clean(self) -> None:
        """Fail with every finding, if there is any."""
        found = "\n".join(self.findings)
        count = f"{len(self.findings)} finding(s) in {len(self.checked)} checks"
        assert not self.findings, f"{count}:\n{found}"


def _selector(target: list[object]) -> str:
    # A target is a list of selectors, one per shadow root or frame on the way to the node.
    return " >> ".join(str(part) for part in target)
