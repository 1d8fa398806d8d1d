"""The in-app inbox: each member of staff sees and marks only their own notices."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from accounts.roles import Role
from db import Database
from notifications.inbox_models import InboxItem
from tests.support.forms import csrf_token
from tests.support.staff import Staff


def _item(app: Flask, staff: Staff, title: str) -> uuid.UUID:
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        item = InboxItem(
            account_id=staff.account_id,
            key=f"test:{uuid.uuid4()}",
            kind="case.escalation",
            title=title,
        )
        session.add(item)
        session.commit()
        database.sessions.remove()
        return item.id


def test_each_member_of_staff_sees_only_their_own_items(
    web_app: Flask, login_as: Callable[..., tuple[FlaskClient, Staff]]
) -> None:
    mine_client, me = login_as(Role.PSYCHOLOGIST)
    other_client, other = login_as(Role.SUPERVISOR)
    _item(web_app, me, "MINE-危机个案逾期")
    theirs = _item(web_app, other, "THEIRS-高风险个案")
    page = mine_client.get("/inbox/").get_data(as_text=True)
    assert "MINE-危机个案逾期" in page and "THEIRS" not in page
    # Someone else's item by id is simply not there: 404, and it stays unread.
    token = csrf_token(mine_client, "/inbox/")
    reply = mine_client.post(f"/inbox/{theirs}/read", data={"csrf_token": token})
    assert reply.status_code == 404
    assert "1 未读" in other_client.get("/inbox/").get_data(as_text=True)


def test_marking_read_and_all_read(
    web_app: Flask, login_as: Callable[..., tuple[FlaskClient, Staff]]
) -> None:
    client, me = login_as(Role.PSYCHOLOGIST)
    first = _item(web_app, me, "FIRST")
    _item(web_app, me, "SECOND")
    token = csrf_token(client, "/inbox/")
    assert "2 未读" in client.get("/inbox/").get_data(as_text=True)
    assert client.post(f"/inbox/{first}/read", data={"csrf_token": token}).status_code == 302
    assert "1 未读" in client.get("/inbox/").get_data(as_text=True)
    assert client.post("/inbox/read-all", data={"csrf_token": token}).status_code == 302
    assert "未读" not in client.get("/inbox/").get_data(as_text=True)
