"""The import service on both databases: create, re-import, update, missing, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from org.models import District, School, SchoolLevel, Teacher
from org.roster import import_roster
from privacy.lookup import lookup_index
from privacy.vault import key_ring
from tests.support.rosters import HEADER, teacher_count, teacher_row, write_csv, write_xlsx


def by_staff_no(session: Session, staff_no: str) -> Teacher:
    index = lookup_index(key_ring(), "staff_no", staff_no)
    return session.scalars(select(Teacher).where(Teacher.staff_no_index == index)).one()


def test_first_import_creates_places_and_sealed_teachers(
    db_session: Session, tmp_path: Path
) -> None:
    rows = [
        teacher_row(1, 姓名="王小明", 心理教师="是"),
        teacher_row(2, 学校="合成第二初级中学"),
        teacher_row(3, 区="合成西区"),
    ]
    report = import_roster(db_session, write_csv(tmp_path / "r.csv", rows))
    assert report.ok, report.problems
    assert (report.created, report.districts_created, report.schools_created) == (3, 2, 3)
    teacher = by_staff_no(db_session, "T00001")
    assert (teacher.name, teacher.phone, teacher.is_psychologist, teacher.birth_year) == (
        "王小明",
        "13800000001",
        True,
        1971,
    )
    assert teacher.pseudonym.startswith("P") and teacher.is_active
    assert "王小明".encode() not in teacher.name_sealed
    levels = dict(db_session.execute(select(School.name, School.level)).tuples().all())
    assert levels == {"合成第一小学": SchoolLevel.PRIMARY, "合成第二初级中学": SchoolLevel.JUNIOR}


def test_reimport_is_unchanged_and_never_duplicates(db_session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [teacher_row(n) for n in range(1, 6)])
    import_roster(db_session, path)
    again = import_roster(db_session, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert teacher_count(db_session) == 5
    assert db_session.scalar(select(District.id).where(District.name == "合成东区")) is not None


def test_changed_row_updates_the_same_teacher(db_session: Session, tmp_path: Path) -> None:
    import_roster(db_session, write_csv(tmp_path / "a.csv", [teacher_row(1), teacher_row(2)]))
    before = by_staff_no(db_session, "T00001")
    old_id, old_pseudonym = before.id, before.pseudonym
    moved = teacher_row(1, 手机="13912345678", 学校="合成第三小学")
    report = import_roster(db_session, write_csv(tmp_path / "b.csv", [moved, teacher_row(2)]))
    assert (report.updated, report.unchanged, report.schools_created) == (1, 1, 1)
    db_session.expire_all()
    after = by_staff_no(db_session, "T00001")
    assert (after.id, after.pseudonym, after.phone, after.school.name) == (
        old_id,
        old_pseudonym,
        "13912345678",
        "合成第三小学",
    )
    assert after.phone_index == lookup_index(key_ring(), "phone", "13912345678")


def test_full_width_staff_number_finds_the_same_teacher(
    db_session: Session, tmp_path: Path
) -> None:
    import_roster(db_session, write_csv(tmp_path / "a.csv", [teacher_row(1, 工号="GZ0123")]))
    report = import_roster(
        db_session,
        write_csv(tmp_path / "b.csv", [teacher_row(1, 工号="ｇｚ０１２３", 学科="数学")]),
    )
    assert (report.created, report.updated) == (0, 1)
    assert teacher_count(db_session) == 1
    assert by_staff_no(db_session, "GZ0123").subject == "数学"


def test_missing_are_reported_by_pseudonym_and_deactivated_only_when_asked(
    db_session: Session, tmp_path: Path
) -> None:
    import_roster(db_session, write_csv(tmp_path / "all.csv", [teacher_row(n) for n in (1, 2, 3)]))
    gone = by_staff_no(db_session, "T00003")
    partial = write_csv(tmp_path / "part.csv", [teacher_row(1), teacher_row(2)])
    report = import_roster(db_session, partial)
    assert (report.missing, report.deactivated, report.missing_pseudonyms) == (
        1,
        0,
        [gone.pseudonym],
    )
    assert teacher_count(db_session, active_only=True) == 3
    report = import_roster(db_session, partial, deactivate_missing=True)
    assert report.deactivated == 1
    assert teacher_count(db_session, active_only=True) == 2
    back = import_roster(
        db_session, write_csv(tmp_path / "back.csv", [teacher_row(n) for n in (1, 2, 3)])
    )
    assert (back.reactivated, back.unchanged, back.missing) == (1, 3, 0)
    assert teacher_count(db_session, active_only=True) == 3


def test_another_districts_file_does_not_make_this_district_missing(
    db_session: Session, tmp_path: Path
) -> None:
    import_roster(db_session, write_csv(tmp_path / "east.csv", [teacher_row(1)]))
    report = import_roster(
        db_session,
        write_csv(tmp_path / "west.csv", [teacher_row(2, 区="合成西区")]),
        deactivate_missing=True,
    )
    assert (report.missing, report.deactivated) == (0, 0)


def test_one_bad_row_writes_nothing(db_session: Session, tmp_path: Path) -> None:
    rows = [teacher_row(n) for n in range(1, 50)] + [teacher_row(50, 邮箱="not-an-address")]
    report = import_roster(db_session, write_csv(tmp_path / "r.csv", rows))
    assert [str(p) for p in report.problems] == [
        "row 51, column I (邮箱 email): is not a valid e-mail address"
    ]
    assert teacher_count(db_session) == 0
    assert db_session.scalar(select(District.id)) is None


def test_dry_run_reports_exact_counts_and_writes_nothing(
    db_session: Session, tmp_path: Path
) -> None:
    import_roster(db_session, write_csv(tmp_path / "a.csv", [teacher_row(1)]))
    path = write_csv(
        tmp_path / "b.csv", [teacher_row(1, 学科="数学"), teacher_row(2, 区="合成北区")]
    )
    report = import_roster(db_session, path, dry_run=True)
    assert (report.created, report.updated, report.districts_created, report.dry_run) == (
        1,
        1,
        1,
        True,
    )
    assert teacher_count(db_session) == 1
    assert by_staff_no(db_session, "T00001").subject == "语文"


def test_school_level_column_sets_and_conflicts(db_session: Session, tmp_path: Path) -> None:
    header = [*HEADER, "学段", "校区"]
    rows = [
        [*teacher_row(1, 学校="合成中学"), "高中", "东校区"],
        [*teacher_row(2, 学校="合成中学"), "", ""],
    ]
    assert import_roster(db_session, write_csv(tmp_path / "a.csv", rows, header=header)).ok
    school = db_session.scalars(select(School).where(School.name == "合成中学")).one()
    assert (school.level, school.campus) == (SchoolLevel.SENIOR, "东校区")
    clash = [
        [*teacher_row(1, 学校="合成中学"), "高中", ""],
        [*teacher_row(2, 学校="合成中学"), "初中", ""],
    ]
    report = import_roster(db_session, write_csv(tmp_path / "b.csv", clash, header=header))
    assert [str(p) for p in report.problems] == ["row 3, 学段 (school_level): differs from row 2"]


def test_school_without_stated_level_is_reported(db_session: Session, tmp_path: Path) -> None:
    report = import_roster(
        db_session, write_csv(tmp_path / "a.csv", [teacher_row(1, 学校="合成实验学校")])
    )
    assert any("no level" in n for n in report.notices)


@pytest.mark.parametrize("kind", ["xlsx", "gbk"])
def test_xlsx_and_gbk_rosters_import_the_same(
    db_session: Session, tmp_path: Path, kind: str
) -> None:
    rows = [teacher_row(1, 姓名="欧阳娜娜"), teacher_row(2)]
    path = (
        write_xlsx(tmp_path / "r.xlsx", rows)
        if kind == "xlsx"
        else write_csv(tmp_path / "r.csv", rows, "gbk")
    )
    report = import_roster(db_session, path)
    assert report.ok and report.created == 2
    assert by_staff_no(db_session, "T00001").name == "欧阳娜娜"


def test_header_only_file_is_a_problem(db_session: Session, tmp_path: Path) -> None:
    report = import_roster(db_session, write_csv(tmp_path / "r.csv", []))
    assert [str(p) for p in report.problems] == [
        "file: there are no teacher rows below the header row"
    ]
