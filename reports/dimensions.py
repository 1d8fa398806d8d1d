"""The fixed report dimensions, as data: every group a teacher can fall in, and how to find it.

No free filters: a report is cut only by these. Bands and subject groups are defined here, once,
so every release and every trend uses the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_RECORDED = ("未填", "Not recorded")

GENDERS = {"女": "female", "F": "female", "f": "female", "男": "male", "M": "male", "m": "male"}
GENDER_GROUPS = (("female", "女", "Female"), ("male", "男", "Male"))

# Age on 1 January of the wave's year, from the birth year: bounds are [low, next low).
AGE_BANDS = ((0, "< 30"), (30, "30–39"), (40, "40–49"), (50, "≥ 50"))
SERVICE_BANDS = ((0, "0–4"), (5, "5–9"), (10, "10–19"), (20, "≥ 20"))

SUBJECT_GROUPS = (
    ("languages", "语言", "Languages", ("语文", "英语", "日语", "俄语")),
    ("stem", "数理科技", "Mathematics, science and technology",
     ("数学", "物理", "化学", "生物", "科学", "信息技术", "通用技术")),
    ("humanities", "人文社会", "Humanities", ("历史", "地理", "道德与法治", "思想政治")),
    ("arts_pe", "艺体", "Arts and physical education", ("音乐", "美术", "体育", "体育与健康")),
    ("other", "其他", "Other subjects", ()),
)  # fmt: skip

SCHOOL_LEVELS = (
    ("primary", "小学", "Primary"),
    ("junior", "初中", "Junior secondary"),
    ("senior", "高中", "Senior secondary"),
    ("nine_year", "九年一贯制", "Nine-year"),
    ("twelve_year", "十二年一贯制", "Twelve-year"),
    ("special", "特殊教育", "Special education"),
)


@dataclass(frozen=True)
class Dimension:
    """One way of cutting the city: its id, bilingual title and its groups' labels, in order."""

    id: str
    title: str
    labels: tuple[str, ...]


def band_labels(bands: tuple[tuple[int, str], ...]) -> tuple[str, ...]:
    """Labels of numeric bands, then "not recorded"."""
    return (*tuple(label for _low, label in bands), " ".join(NOT_RECORDED))


def band_of(value: int | None, bands: tuple[tuple[int, str], ...]) -> int:
    """Index of the band holding ``value``; the last index (not recorded) for None."""
    if value is None or value < 0:
        return len(bands)
    index = 0
    for i, (low, _label) in enumerate(bands):
        if value >= low:
            index = i
    return index


def gender_of(text: str | None) -> int:
    """Index of the gender group; the last index (not recorded) for anything else."""
    code = GENDERS.get((text or "").strip())
    names = [g[0] for g in GENDER_GROUPS]
    return names.index(code) if code else len(names)


def subject_of(text: str | None) -> int:
    """Index of the subject group; "other" for a subject not listed, the last for none."""
    if not text or not text.strip():
        return len(SUBJECT_GROUPS)
    for i, (_id, _zh, _en, subjects) in enumerate(SUBJECT_GROUPS):
        if text.strip() in subjects:
            return i
    return len(SUBJECT_GROUPS) - 1


def fixed_dimensions(districts: tuple[str, ...]) -> tuple[Dimension, ...]:
    """The six dimensions of every report, given the city's district names."""
    recorded = " ".join(NOT_RECORDED)
    return (
        Dimension("district", "区 District", districts),
        Dimension("level", "学段 School level",
                  (*tuple(f"{zh} {en}" for _c, zh, en in SCHOOL_LEVELS), recorded)),
        Dimension("gender", "性别 Gender",
                  (*tuple(f"{zh} {en}" for _c, zh, en in GENDER_GROUPS), recorded)),
        Dimension("age", "年龄段 Age band", band_labels(AGE_BANDS)),
        Dimension("service", "教龄段 Years of service", band_labels(SERVICE_BANDS)),
        Dimension("subject", "学科组 Subject group",
                  (*tuple(f"{zh} {en}" for _i, zh, en, _s in SUBJECT_GROUPS), recorded)),
    )  # fmt: skip


def level_of(level: str | None) -> int:
    """Index of a school level; the last index (not recorded) for none."""
    codes = [c for c, _zh, _en in SCHOOL_LEVELS]
    return codes.index(level) if level in codes else len(codes)
