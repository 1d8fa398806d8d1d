"""A synthetic roster for the demo, made from the demo census's teachers (``demo.census``).

Everything here is invented. District and school names carry 演示 (demo), staff numbers start
with DEMO, phone numbers use the 1990000 block and e-mail addresses the reserved example.com.
School, district, school level, gender, birth year, years of service and subject group are the
census's own, so the answers the waves give each teacher fit who the roster says they are.
"""

from __future__ import annotations

import random

from demo.census import psychologists, school_names, staff_order
from scoring.synthetic import SyntheticCensus

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "静丽敏燕芳娜秀英华慧巧美娟红玉明国文伟强磊军洋勇杰涛斌超波辉刚健俊峰晨欣怡佳琳雪婷"
# The census's subject groups (0-5), each a handful of the subjects a roster names.
SUBJECTS = (
    ("语文",),
    ("数学",),
    ("英语",),
    ("物理", "化学", "生物", "科学"),
    ("历史", "地理", "道德与法治"),
    ("音乐", "美术", "体育", "信息技术"),
)
PSYCHOLOGY = "心理健康"
NAME_SEED = 20261128


def synthetic_roster(census: SyntheticCensus) -> list[dict[str, str]]:
    """Roster rows keyed by the English column names, in staff-number order (reproducible)."""
    rng = random.Random(NAME_SEED)
    schools = school_names(census)
    leading = psychologists(census)
    rows = []
    for n, i in enumerate(staff_order(census)):
        district, school, level = schools[int(census.school[i])]
        subject = PSYCHOLOGY if n < leading else rng.choice(SUBJECTS[int(census.subject_group[i])])
        rows.append({
            "staff_no": f"DEMO{n + 1:05d}",
            "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
            "gender": "女" if census.gender[i] == "F" else "男",
            "birth_year": str(int(census.birth_year[i])),
            "years_of_service": str(int(census.years_of_service[i])),
            "subject": subject,
            "is_psychologist": "是" if n < leading else "否",
            "phone": f"1990000{n + 1:04d}",
            "email": f"demo{n + 1:05d}@example.com",
            "school": school,
            "school_level": level,
            "district": district,
        })  # fmt: skip
    return rows
