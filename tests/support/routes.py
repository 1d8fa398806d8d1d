"""Every route of the app's URL map as URLs a client can request, and who may use each one.

``EXPECTED`` is the role × route matrix (protection.md test 11): every endpoint, and the roles
that may use it (or ``PUBLIC``, or ``ANY_STAFF``). ``route_urls`` gives a teacher's link route
each of the real tokens passed in, so that its views run past "unknown link"; ids are 1 (the
first row of each table, when the test made one), UUIDs a fixed one, ``any(...)`` each of its
choices. ``route_requests`` gives each rule and method once, with ids that exist nowhere.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from typing import Any

from flask import Flask, url_for
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter, Rule, UUIDConverter

from accounts.policy import TEACHER_ENDPOINTS
from accounts.roles import Role

SAMPLE_UUID = uuid.UUID("00000000-0000-4000-8000-000000000001")
PUBLIC = "public"
ANY_STAFF = "any staff"
EXPECTED: dict[str, str | frozenset[Role]] = {
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.home": ANY_STAFF,
    "auth.setup": ANY_STAFF,
    "auth.logout": ANY_STAFF,
    "account.password": ANY_STAFF,
    "staff.accounts": frozenset({Role.SECURITY_ADMIN}),
    "staff.new_account": frozenset({Role.SECURITY_ADMIN}),
    "staff.bulk_import": frozenset({Role.SECURITY_ADMIN}),
    "staff.account_detail": frozenset({Role.SECURITY_ADMIN}),
    "staff.add_grant": frozenset({Role.SECURITY_ADMIN}),
    "staff.account_action": frozenset({Role.SECURITY_ADMIN}),
    "staff.decide": frozenset({Role.SECURITY_ADMIN}),
    "staff.revoke": frozenset({Role.SECURITY_ADMIN}),
    "staff.decide_reset": frozenset({Role.SECURITY_ADMIN}),
    "staff.set_contact": frozenset({Role.SECURITY_ADMIN}),
    # The one-time set-up link sent to a member of staff's own contact: the token is the key.
    "enrol.enrol": PUBLIC,
    "audit.entries": frozenset({Role.AUDITOR}),
    "audit.verify": frozenset({Role.AUDITOR}),
    "waves.wave_list": frozenset({Role.SYSTEM_ADMIN}),
    "waves.new_wave": frozenset({Role.SYSTEM_ADMIN}),
    "waves.wave_detail": frozenset({Role.SYSTEM_ADMIN}),
    "waves.edit_wave": frozenset({Role.SYSTEM_ADMIN}),
    "waves.wave_action": frozenset({Role.SYSTEM_ADMIN}),
    "waves.unit_opening": frozenset({Role.SYSTEM_ADMIN}),
    "waves.sheet_index": frozenset({Role.SYSTEM_ADMIN}),
    "waves.sheet": frozenset({Role.SYSTEM_ADMIN}),
    "waves.sheet_download": frozenset({Role.SYSTEM_ADMIN}),
    "lost_link.lost_link": PUBLIC,
    # Caring follow-up (alerts/views.py): rows are scoped again inside each view.
    "cases.queue": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.case_page": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.reveal": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.step": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.claim_case": frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR}),
    "cases.assign_case": frozenset({Role.SUPERVISOR}),
    "cases.outreach": frozenset({Role.PSYCHOLOGIST}),
    "cases.take_up": frozenset({Role.PSYCHOLOGIST}),
    "cases.district": frozenset({Role.SUPERVISOR}),
    # Released reports (reports/views.py): anonymised aggregates, the bureau analyst only.
    "reports.index": frozenset({Role.ANALYST}),
    "reports.report": frozenset({Role.ANALYST}),
    "reports.print_report": frozenset({Role.ANALYST}),
    "reports.export": frozenset({Role.ANALYST}),
    # The statistical second reader (analysis/): its card, its two-person switch, the check-in
    # list (rows scoped again inside the views; empty in shadow mode).
    "model.model_card": frozenset({Role.ANALYST, Role.SUPERVISOR}),
    "model.mode_page": frozenset({Role.SECURITY_ADMIN}),
    "model.ask_switch": frozenset({Role.SECURITY_ADMIN}),
    "model.decide_switch": frozenset({Role.SECURITY_ADMIN}),
    "model.checkins": frozenset({Role.PSYCHOLOGIST}),
    "model.take": frozenset({Role.PSYCHOLOGIST}),
    # Each member of staff's own notices (reminders, escalations); rows are scoped to the caller.
    "inbox.items": ANY_STAFF,
    "inbox.read": ANY_STAFF,
    "inbox.read_all": ANY_STAFF,
    # The teacher's census pages: the link, the identity answer and the PIN are the keys.
    **{f"teacher.{name}": PUBLIC for name in TEACHER_ENDPOINTS},
}


def route_requests(app: Flask) -> list[tuple[Rule, str, str]]:
    """Every rule but ``static`` with each of its methods (HEAD and OPTIONS aside) and a URL
    whose ids exist nowhere: (rule, method, url), logging out last."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            url = url_for(rule.endpoint, **_sample_values(rule))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule, method, url))
    # Logging out last, so that it does not end the persona's session mid-matrix.
    return sorted(found, key=lambda r: r[0].endpoint == "auth.logout")


def _sample_values(rule: Rule) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        else:
            values[name] = 987654
    return values


def route_urls(app: Flask, tokens: Sequence[str]) -> list[tuple[Rule, str]]:
    """Each rule (``static`` included) with every combination of its sample values."""
    found = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            names = sorted(rule._converters)
            choices = [_samples(name, rule._converters[name], tokens) for name in names]
            for combination in itertools.product(*choices):
                found.append(
                    (rule, url_for(rule.endpoint, **dict(zip(names, combination, strict=True))))
                )
    return found


def _samples(name: str, converter: object, tokens: Sequence[str]) -> list[Any]:
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    if isinstance(converter, UUIDConverter):
        return [SAMPLE_UUID]
    if isinstance(converter, IntegerConverter):
        return [1]
    if isinstance(converter, PathConverter):
        return ["xinan.css"]
    if name == "token":
        return list(tokens)
    return ["x"]
