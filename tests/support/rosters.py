"""Roster files for the import tests (CSV in any encoding, XLSX, a few ready-made rows), and the
``flask`` command line run as an operator runs it."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.settings import PROJECT_ROOT
from org.models import Teacher
from org.roster.headers import STANDARD_HEADER

FlaskCli = Callable[..., subprocess.CompletedProcess[str]]

HEADER = STANDARD_HEADER


def teacher_row(n: int, **overrides: str) -> list[str]:
    """One plausible synthetic teacher row under ``HEADER``."""
    values = {
        "工号": f"T{n:05d}",
        "姓名": f"合成教师{n}",
        "性别": "男" if n % 2 else "女",
        "出生年份": str(1970 + n % 30),
        "教龄": str(n % 20),
        "学科": "语文",
        "心理教师": "否",
        "手机": f"138{n:08d}",
        "邮箱": f"t{n}@school.example.cn",
        "学校": "合成第一小学",
        "区": "合成东区",
    }
    values.update(overrides)
    return [values[h] for h in HEADER]


def csv_bytes(
    rows: Sequence[Sequence[object]], encoding: str = "utf-8", header: Sequence[str] = HEADER
) -> bytes:
    """A CSV file's bytes in ``encoding`` (use ``utf-8-sig`` or ``utf-16`` for a BOM)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    encoding: str = "utf-8",
    header: Sequence[str] = HEADER,
) -> Path:
    """Write a CSV roster and return its path."""
    path.write_bytes(csv_bytes(rows, encoding, header))
    return path


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER
) -> Path:
    """Write an XLSX roster (first sheet) and return its path."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    book.close()
    return path


def teacher_count(session: Session, *, active_only: bool = False) -> int:
    """How many teachers the vault holds."""
    query = select(func.count()).select_from(Teacher)
    if active_only:
        query = query.where(Teacher.is_active.is_(True))
    return int(session.scalar(query) or 0)


def flask_cli(instance: Path, database_url: str | None = None) -> FlaskCli:
    """Run ``flask --app app ARGS`` from the project root in a subprocess, as an operator would.

    The environment names only the instance folder, its log file and (optionally) the database.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINAN_")}
    env.update(XINAN_INSTANCE_PATH=str(instance), XINAN_LOG_FILE=str(instance / "xinan.log"))
    if database_url:
        env["XINAN_DATABASE_URL"] = database_url

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "flask", "--app", "app", *args]
        return subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run
