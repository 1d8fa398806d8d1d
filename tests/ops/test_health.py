"""GET /healthz answers as DESIGN.md contract 2 says, with the database up and down."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from app import create_app
from db import make_engine
from devservices.postgres import ThrowawayPostgres
from ops import migrations
from tests.support.apps import build_settings


def test_healthz_ok_without_login(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "scheduler": "off"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_503_when_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'xinan.db'}"
    app = create_app(build_settings(tmp_path / "instance", url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error", "scheduler": "off"}


def test_healthz_follows_postgres_down_and_back(tmp_path: Path) -> None:
    with ThrowawayPostgres() as cluster:
        engine = make_engine(cluster.url)
        migrations.upgrade(engine)
        engine.dispose()
        app = create_app(build_settings(tmp_path / "instance", cluster.url))
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        cluster.pause()
        down = client.get("/healthz")
        assert down.status_code == 503
        assert down.get_json()["status"] == "error"
        assert b"Traceback" not in down.data
        cluster.resume()
        assert client.get("/healthz").get_json()["database"] == "ok"
        app.extensions["xinan.db"].dispose()


def test_unknown_page_is_a_plain_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
