"""Roster import benchmark: 150,000 synthetic teachers into a fresh SQLite instance.

``python -m benchmarks roster`` prints ``{"rows": 150000, "seconds": ...}`` (the first import,
through the same service the CLI uses, commit included) plus the time of an unchanged re-import.
Everything lives in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import models  # noqa: F401  (every table known, as in the app)
from config.settings import Settings
from db import Database
from ops import migrations
from org.roster import import_roster
from org.roster.headers import STANDARD_HEADER
from privacy.keys import load_or_generate
from privacy.vault import install_key_ring

ROWS = 150_000
DISTRICTS = 12
SCHOOLS_PER_DISTRICT = 50
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲红梅兰婷雪琳晨阳"
SUBJECTS = (
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "政治",
    "体育",
    "音乐",
    "美术",
    "心理",
)
LEVELS = ("小学", "初级中学", "高级中学", "九年一贯制学校")


def write_roster(path: Path, rows: int, seed: int = 20240901) -> None:
    """A synthetic roster CSV (UTF-8 with BOM, as Excel saves it) with ``rows`` teachers."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(STANDARD_HEADER)
        for n in range(rows):
            district = n % DISTRICTS
            school = rng.randrange(SCHOOLS_PER_DISTRICT)
            born = rng.randint(1965, 2000)
            writer.writerow(
                [
                    f"T{n:07d}",
                    rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                    rng.choice("男女"),
                    born,
                    rng.randint(0, 2024 - born - 22),
                    rng.choice(SUBJECTS),
                    "是" if rng.random() < 0.02 else "否",
                    f"1{rng.randint(3, 9)}{rng.randrange(10**9):09d}",
                    f"t{n}@school{school}.example.cn",
                    f"合成第{school + 1}{LEVELS[school % len(LEVELS)]}",
                    f"合成{district + 1}区",
                ]
            )


def _timed_import(database: Database, path: Path) -> tuple[float, Any]:
    session = database.session()
    start = time.perf_counter()
    report = import_roster(session, path)
    session.commit()
    elapsed = time.perf_counter() - start
    database.sessions.remove()
    if not report.ok:
        raise RuntimeError(f"benchmark roster rejected: {report.problems[:3]}")
    return elapsed, report


def run() -> dict[str, object]:
    """Generate, import and re-import the synthetic roster; return the timings."""
    with tempfile.TemporaryDirectory(prefix="xinan-bench-roster-") as tmp:
        root = Path(tmp)
        settings = Settings(instance_path=root / "instance", demo=False, scheduler="off")
        # The same key ring and database the app would build, without a web app around them.
        install_key_ring(load_or_generate(settings.effective_key_file, may_generate=True))
        database = Database(settings.effective_database_url)
        try:
            migrations.upgrade(database.engine)
            path = root / "roster.csv"
            write_roster(path, ROWS)
            seconds, report = _timed_import(database, path)
            again, second = _timed_import(database, path)
        finally:
            database.dispose()
    return {
        "rows": ROWS,
        "seconds": round(seconds, 2),
        "created": report.created,
        "reimport_seconds": round(again, 2),
        "reimport_unchanged": second.unchanged,
        "backend": "sqlite",
    }
