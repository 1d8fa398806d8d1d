"""The system administrator's wave pages and CLI, against committed data."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.roles import Role
from census.models import Wave, WaveState
from db import Database, utcnow
from notifications.models import Channel
from notifications.outbox import Message, enqueue
from privacy.audit.models import AuditEntry
from survey.invitations.jobs import run_invitation_sweep
from survey.invitations.messages import quiet_hours
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import csrf_token
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]


def _form(client: FlaskClient, **values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "2026 冬季普查",
        "battery": "phq9,gad7,who5,k10,pss10,cbi",
        "opens_at": "2030-03-02 08:00",
        "closes_at": "2030-03-16 20:00",
        "population": ["city"],
        "csrf_token": csrf_token(client, "/waves/new"),
    }
    data.update(values)
    return data


def _wave_id(location: str) -> int:
    match = re.search(r"/waves/(\d+)$", location)
    assert match, location
    return int(match.group(1))


def test_an_administrator_creates_schedules_and_prints_a_wave(
    web_app: Flask, login_as: Login
) -> None:
    client, staff = login_as(Role.SYSTEM_ADMIN, school="页校")
    response = client.post("/waves/new", data=_form(client))
    assert response.status_code == 302
    wave_id = _wave_id(response.headers["Location"])
    page = client.get(f"/waves/{wave_id}").get_data(as_text=True)
    assert "2030-03-02 08:00" in page and "个案预测" in page and "published" in page
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        stored = session.get(Wave, wave_id)
        assert stored is not None and stored.opens_at.hour == 0  # 08:00 in Shanghai is 00:00 UTC
        make_teacher(session, make_school(session, name="页校", district="一区"), name="王页面")
        session.commit()
        database.sessions.remove()
    token = csrf_token(client, f"/waves/{wave_id}")
    assert client.post(f"/waves/{wave_id}/schedule", data={"csrf_token": token}).status_code == 302
    run_invitation_sweep(database, web_app.extensions["xinan.settings"], stored.created_at)
    sheets = client.get(f"/waves/{wave_id}/sheets").get_data(as_text=True)
    school_id = int(re.findall(rf"/waves/{wave_id}/sheets/(\d+)\"", sheets)[0])
    sheet = client.get(f"/waves/{wave_id}/sheets/{school_id}")
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    text = sheet.get_data(as_text=True)
    assert "<svg" in text and "https://xinan.test/s/" in text
    download = client.get(f"/waves/{wave_id}/sheets/{school_id}/download")
    assert "attachment" in download.headers["Content-Disposition"]
    with web_app.app_context():
        actions = (
            database.session()
            .scalars(select(AuditEntry.action).where(AuditEntry.actor == str(staff.account_id)))
            .all()
        )
        database.sessions.remove()
    assert {"wave.create", "wave.schedule", "wave.sheet_view", "wave.sheet_export"} <= set(actions)
    assert "王页面" in text  # the sheet names the teacher; the log never does
    log_file = web_app.extensions["xinan.settings"].log_file
    log = log_file.read_text(encoding="utf-8")
    assert "/sheets/" in log and "王页面" not in log and "/s/" not in log.replace("/sheets/", "")


def test_a_battery_without_phq9_is_refused_until_confirmed(web_app: Flask, login_as: Login) -> None:
    client, _ = login_as(Role.SYSTEM_ADMIN)
    refused = client.post("/waves/new", data=_form(client, battery="gad7,who5"))
    assert refused.status_code == 400 and "没有安全条目" in refused.get_data(as_text=True)
    confirmed = client.post(
        "/waves/new", data=_form(client, battery="gad7,who5", confirm_no_safety_item="y")
    )
    assert confirmed.status_code == 302


def test_times_and_states_are_checked(web_app: Flask, login_as: Login) -> None:
    client, _ = login_as(Role.SYSTEM_ADMIN)
    backwards = _form(client, opens_at="2030-03-16 08:00", closes_at="2030-03-02 08:00")
    assert client.post("/waves/new", data=backwards).status_code == 400
    wave_id = _wave_id(client.post("/waves/new", data=_form(client)).headers["Location"])
    token = csrf_token(client, f"/waves/{wave_id}")
    client.post(f"/waves/{wave_id}/close", data={"csrf_token": token})  # a draft cannot close
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        wave = database.session().get(Wave, wave_id)
        assert wave is not None and wave.state is WaveState.DRAFT
        database.sessions.remove()


def test_the_wave_cli_creates_lists_and_opens(web_app: Flask) -> None:
    runner = web_app.test_cli_runner()
    created = runner.invoke(
        args=[
            "wave",
            "create",
            "--name",
            "命令行普查",
            "--opens",
            "2030-05-01 08:00",
            "--closes",
            "2030-05-15 20:00",
            "--schedule",
        ]
    )
    assert created.exit_code == 0, created.output
    wave_id = int(re.findall(r"wave (\d+) created", created.output)[0])
    assert runner.invoke(args=["wave", "open", str(wave_id)]).exit_code == 0
    listed = runner.invoke(args=["wave", "list"]).output
    assert f"{wave_id}\topen" in listed and "命令行普查" in listed
    assert runner.invoke(args=["wave", "invite", str(wave_id)]).exit_code == 0
    assert "rates from published" in runner.invoke(args=["wave", "forecast", str(wave_id)]).output
    refused = runner.invoke(
        args=[
            "wave",
            "create",
            "--name",
            "x",
            "--battery",
            "gad7",
            "--opens",
            "2030-05-01 08:00",
            "--closes",
            "2030-05-15 20:00",
        ]
    )
    assert refused.exit_code != 0 and "PHQ-9" in refused.output


def test_the_wave_page_shows_messages_waiting_on_an_unconfigured_channel(
    web_app: Flask, login_as: Login
) -> None:
    settings = web_app.extensions["xinan.settings"]
    assert settings.sms_gateway_url == ""  # SMS is not set up in the tests
    client, _staff = login_as(Role.SYSTEM_ADMIN, school="渠道校")
    wave_id = _wave_id(client.post("/waves/new", data=_form(client)).headers["Location"])
    waiting_before = _sms_pending(client.get(f"/waves/{wave_id}").get_data(as_text=True))
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        for n in range(3):
            message = Message(f"remind:unconfigured:{n}", Channel.SMS, "13800000000", "正文")
            assert enqueue(session, message, utcnow(), quiet_hours(settings))
        session.commit()
        database.sessions.remove()
    page = client.get(f"/waves/{wave_id}").get_data(as_text=True)
    assert _sms_pending(page) == waiting_before + 3
    assert "Not configured" in page[page.index("短信 SMS") :].split("</tr>", 1)[0]
    assert "13800000000" not in page


def _sms_pending(page: str) -> int:
    row = page[page.index("短信 SMS") :].split("</tr>", 1)[0]
    return int(re.findall(r"待发送 pending (\d+)", row)[0])
