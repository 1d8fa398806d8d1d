"""What the pages call each case level, case state, outreach state, referral type and outcome:
Chinese first, then English, as on the case pages (``templates/cases/_labels.html``, which a test
keeps in step). The report's follow-up tables and its exports are written with these words, never
with the codes stored in the database.
"""

from __future__ import annotations

LEVELS = {"crisis": "危机 Crisis", "high": "高风险 High", "moderate": "关怀转个案 Moderate"}
STATES = {
    "new": "新 New",
    "acknowledged": "已确认 Acknowledged",
    "contacted": "已联系 Contacted",
    "following_up": "跟进中 Following up",
    "referred": "已转介 Referred",
    "closed": "已结案 Closed",
}
OUTREACH_STATES = {
    "outreach": "关怀外联 Outreach",  # the row of the report's outreach table
    "offered": "已发送关怀 Offered",
    "requested": "教师希望交谈 Asked to talk",
    "taken_up": "已接手 Taken up",
}
OUTCOMES = {
    "resolved": "已缓解 Resolved",
    "declined_contact": "拒绝联系 Declined contact",
    "in_care": "转介后就医 In care after referral",
    "unreachable": "多次无法联系 Unreachable after attempts",
    "left_school": "已离校 Left the school",
    "withdrawn": "撤回同意 Withdrawn",
}
REFERRALS = {
    "psychiatric_hospital": "精神专科医院 Psychiatric hospital",
    "general_hospital_psychiatry": "综合医院精神/心理科 General hospital, psychiatry",
    "psychological_clinic": "心理门诊 Psychological clinic",
    "community_health_centre": "社区卫生服务中心 Community health centre",
    "other_medical": "其他医疗机构 Other medical institution",
}
# No code means two things: one lookup serves every header and row of the follow-up tables.
CASEWORK_LABELS = {**LEVELS, **STATES, **OUTREACH_STATES, **OUTCOMES, **REFERRALS}


def casework_label(code: str) -> str:
    """The words for a level, state, referral type or outcome code; any other text unchanged."""
    return CASEWORK_LABELS.get(code, code)
