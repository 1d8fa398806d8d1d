"""The bureau analyst's report pages and exports: released waves only, every view audited.

Views read the frozen release and render its strings; nothing is computed from rows here. A wave
that is not released (or has no release) answers 404, as if it did not exist.
"""

from __future__ import annotations

import base64
from collections import OrderedDict

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy.orm import Session

from accounts.events import audit
from accounts.policy import requires
from accounts.roles import Permission
from census.models import Wave
from db.current import request_session
from reports.exports import report_csv, report_xlsx
from reports.models import ReportRelease
from reports.sections import Section, report_sections, summary
from reports.service import released_waves, shown_release

READ = Permission.REPORTS_READ
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_blueprint() -> Blueprint:
    """Routes under /reports for the bureau analyst."""
    bp = Blueprint("reports", __name__, url_prefix="/reports")
    bp.add_url_rule("", view_func=index)
    bp.add_url_rule("/<int:wave_id>", view_func=report)
    bp.add_url_rule("/<int:wave_id>/print", view_func=print_report)
    bp.add_url_rule("/<int:wave_id>/export.<any(csv, xlsx):fmt>", view_func=export)
    return bp


def _session() -> Session:
    return request_session()


def _release(wave_id: int) -> ReportRelease:
    release = shown_release(_session(), wave_id, light=True)
    if release is None:
        abort(404)
    return release


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _charts(release: ReportRelease) -> dict[str, str]:
    return {key: _data_uri(svg) for key, svg in release.charts.items()}


@requires(READ)
def index() -> ResponseReturnValue:
    """The released waves, newest first."""
    audit("report.view", object_type="report")
    return render_template("reports/index.html", releases=released_waves(_session()))


# A release never changes once built, so its rendered body is kept per process (by database,
# release id and build time: apps on other databases in one process have releases of the same id
# and time); the page around it, the gate and the audit entry still run on every request.
_BODIES: OrderedDict[tuple[str, int, str], Markup] = OrderedDict()
_KEEP = 8


def _body(release: ReportRelease) -> Markup:
    key = (str(_session().get_bind().engine.url), release.id, release.built_at.isoformat())
    if key not in _BODIES:
        sections: list[Section] = report_sections(release)
        # The body is Jinja's own autoescaped output, so it is already safe HTML.
        _BODIES[key] = Markup(  # noqa: S704
            render_template(
                "reports/_body.html",
                release=release,
                facts=summary(release),
                sections=sections,
                charts=_charts(release),
            )
        )
        while len(_BODIES) > _KEEP:
            _BODIES.popitem(last=False)
    return _BODIES[key]


def _render(release: ReportRelease, template: str) -> str:
    wave = _session().get(Wave, release.wave_id)
    name = wave.name if wave is not None else ""
    return render_template(template, release=release, wave_name=name, body=_body(release))


@requires(READ)
def report(wave_id: int) -> ResponseReturnValue:
    """One released wave's report, on screen."""
    return _page(wave_id, "reports/report.html")


@requires(READ)
def print_report(wave_id: int) -> ResponseReturnValue:
    """The same report, laid out for paper."""
    return _page(wave_id, "reports/print.html")


def _page(wave_id: int, template: str) -> ResponseReturnValue:
    release = _release(wave_id)
    audit("report.view", object_type="wave", object_id=str(wave_id),
          detail={"layout": "print" if "print" in template else "screen"})  # fmt: skip
    return _render(release, template)


@requires(READ)
def export(wave_id: int, fmt: str) -> ResponseReturnValue:
    """The report as CSV or XLSX, as an attachment that is never cached."""
    release = _release(wave_id)
    body, mimetype = (
        (report_csv(release), "text/csv; charset=utf-8")
        if fmt == "csv"
        else (report_xlsx(release), XLSX)
    )
    audit("report.export", object_type="wave", object_id=str(wave_id), detail={"format": fmt})
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="xinan-report-{wave_id}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
