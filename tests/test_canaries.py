"""Canaries (issue 2; protection.md test 20): after a roster import through the real CLI, no file
the app wrote holds a canary name, phone, e-mail or staff number in UTF-8, UTF-16 or GBK."""

from __future__ import annotations

from pathlib import Path

from tests.support.rosters import flask_cli, teacher_row, write_csv

CANARIES = {
    "name": ["金丝雀甲", "金丝雀乙", "Canaryname Zeta"],
    "phone": ["13977770001", "13977770002", "13977770003"],
    "email": [
        "canary.one@canary-mail.cn",
        "canary.two@canary-mail.cn",
        "canary.three@canary-mail.cn",
    ],
    "staff_no": ["CANARY7001", "CANARY7002", "CANARY7003"],
}


def canary_rows() -> list[list[str]]:
    return [
        teacher_row(
            n,
            工号=CANARIES["staff_no"][n],
            姓名=CANARIES["name"][n],
            手机=CANARIES["phone"][n],
            邮箱=CANARIES["email"][n],
        )
        for n in range(3)
    ]


def encodings(value: str) -> list[bytes]:
    """The forms a leak could take on disk."""
    return [value.encode(c) for c in ("utf-8", "utf-16-le", "utf-16-be", "gbk")]


def leaks(blob: bytes) -> list[str]:
    """Every canary (and encoding) found in ``blob``."""
    return [
        f"{kind}:{value}:{i}"
        for kind, values in CANARIES.items()
        for value in values
        for i, form in enumerate(encodings(value))
        if form in blob
    ]


def scan(root: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hits = leaks(path.read_bytes())
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


def test_canaries_never_reach_database_log_or_output(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    flask = flask_cli(instance)  # the embedded default: SQLite in the instance folder
    upgrade = flask("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    roster = write_csv(tmp_path / "canary.csv", canary_rows())
    # The scan finds what it looks for: every canary is in the roster file, in UTF-8.
    found = {hit.split(":")[1] for hit in leaks(roster.read_bytes())}
    assert found == {value for values in CANARIES.values() for value in values}
    outputs = []
    for args in ([str(roster)], [str(roster), "--dry-run"], [str(roster)]):
        result = flask("roster", "import", *args)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout + result.stderr)
    # A failing import of the same canaries, plus one bad row: its report must not quote them.
    bad = write_csv(
        tmp_path / "bad.csv",
        [*canary_rows(), teacher_row(9, 工号="CANARY7001", 手机="=13977770003")],
    )
    failed = flask("roster", "import", str(bad))
    assert failed.returncode == 1
    outputs.append(failed.stdout + failed.stderr)

    assert (instance / "xinan.db").exists() and (instance / "xinan.log").stat().st_size > 0
    assert scan(instance) == {}
    assert leaks("\n".join(outputs).encode("utf-8")) == []
