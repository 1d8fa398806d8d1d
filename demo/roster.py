"""A synthetic roster for the demo: two districts, six schools, 300 teachers.

Everything here is invented. District and school names carry 演示 (demo), staff numbers start
with DEMO, phone numbers use the 1990000 block and e-mail addresses the reserved example.com.
"""

from __future__ import annotations

import random

DISTRICTS = {
    "演示东区": [
        ("演示东区第一小学", "primary"),
        ("演示东区实验中学", "junior"),
        ("演示东区高级中学", "senior"),
    ],
    "演示西区": [
        ("演示西区九年一贯制学校", "nine_year"),
        ("演示西区外国语学校", "twelve_year"),
        ("演示西区特殊教育学校", "special"),
    ],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "静丽敏燕芳娜秀英华慧巧美娟红玉明国文伟强磊军洋勇杰涛斌超波辉刚健俊峰晨欣怡佳琳雪婷"
SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "音乐",
    "美术",
    "体育",
    "信息技术",
    "科学",
]
PSYCHOLOGY = "心理健康"


def synthetic_roster(count: int = 300, seed: int = 20261128) -> list[dict[str, str]]:
    """Roster rows keyed by the English column names, reproducible for a given seed."""
    rng = random.Random(seed)
    schools = [(d, s, level) for d, listed in DISTRICTS.items() for s, level in listed]
    rows = []
    for n in range(count):
        district, school, level = schools[n % len(schools)]
        # Two psychology teachers per school, as a well-staffed city might have.
        is_psychologist = n < 2 * len(schools)
        rows.append(_teacher(rng, n, district, school, level, is_psychologist))
    return rows


def _teacher(
    rng: random.Random, n: int, district: str, school: str, level: str, is_psychologist: bool
) -> dict[str, str]:
    birth_year = rng.randint(1965, 2001)
    return {
        "staff_no": f"DEMO{n + 1:05d}",
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
        "gender": rng.choices(["女", "男"], weights=[7, 3])[0],
        "birth_year": str(birth_year),
        "years_of_service": str(max(0, min(2026 - birth_year - 22, rng.randint(0, 40)))),
        "subject": PSYCHOLOGY if is_psychologist else rng.choice(SUBJECTS),
        "is_psychologist": "是" if is_psychologist else "否",
        "phone": f"1990000{n + 1:04d}",
        "email": f"demo{n + 1:05d}@example.com",
        "school": school,
        "school_level": level,
        "district": district,
    }
