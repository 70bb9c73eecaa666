"""The reports' pages, downloads and charts. Every report has three routes: its page, its downloads
(``.csv``, ``.xlsx``, and ``.pdf`` for a round's) and its charts (``/charts/<table>.svg``); ``?framework=``
picks the framework in all three.

Each route loads its object (404 when missing), authorises (404 when refused, so no one learns another
school's or authority's report exists), then builds the report; nothing is written but the figures and charts
kept for the next request (``cache``).

The charting and PDF libraries (Altair, vl-convert, ReportLab: about 38 MB and over half a second to import) are
imported by the two functions that draw charts (``services.chart_svg``) and write files, so that no other page, and
no worker, loads them.
"""

from collections.abc import Callable

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from moderation_hub.db import db, get_or_404
from moderation_hub.downloads.forms import AskForm
from moderation_hub.downloads.kinds import ROUND_REPORT_PDF
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.permissions import Permission, authorize
from moderation_hub.reports import services, tables
from moderation_hub.reports.explanations import ABOUT_FIGURES
from moderation_hub.reports.services import Report, ReportKind
from moderation_hub.responses import attachment
from moderation_hub.rounds.models import ModerationRound, RoundEntry

blueprint = Blueprint("reports", __name__)

SPREADSHEETS = ("csv", "xlsx")
# A round with more samples than this has its PDF prepared off the request path: at 5,000 samples the first PDF
# after a change takes 8-12 s to draw. (Its rows come from schools and moderators, more of them in larger rounds.)
DIRECT_PDF_SAMPLES = 200


@blueprint.get("/reports")
@login_required
def index() -> str:
    authorize(Permission.REPORT_LIST)
    return render_template("reports/index.html", available=services.available_reports(current_user))


# A round's report, for its lead -------------------------------------------------------------------------


def _round_report(round_id: int) -> Report:
    round_ = get_or_404(ModerationRound, round_id)
    authorize(Permission.REPORT_ROUND, round_)
    return _built(lambda framework_id: services.round_report(round_, framework_id))


@blueprint.get("/reports/rounds/<int:round_id>")
@login_required
def round_report(round_id: int) -> str:
    report = _round_report(round_id)
    return _page(report, prepared=prepared_pdf(db.session.get_one(ModerationRound, round_id)), round_id=round_id)


@blueprint.get("/reports/rounds/<int:round_id>.<extension>")
@login_required
def round_download(round_id: int, extension: str) -> Response:
    if extension == "pdf" and prepared_pdf(get_or_404(ModerationRound, round_id)):
        # Authorised by the page it sends to, which asks for the same permission.
        return redirect(url_for("downloads.ask", kind=ROUND_REPORT_PDF.key, round=round_id, **_framework_asked()), 303)
    return _download(_round_report(round_id), extension, f"round-{round_id}")


def prepared_pdf(round_: ModerationRound) -> bool:
    """Whether the round's PDF is prepared off the request path (``downloads``) rather than sent straight away:
    drawing its charts takes seconds once its rows (schools, moderators) run to dozens."""
    entries = select(func.count()).select_from(RoundEntry).where(RoundEntry.round_id == round_.id)
    return (db.session.scalar(entries) or 0) > DIRECT_PDF_SAMPLES


def _framework_asked() -> dict[str, int]:
    framework = request.args.get("framework", type=int)
    return {} if framework is None else {"framework": framework}


@blueprint.get("/reports/rounds/<int:round_id>/charts/<name>.svg")
@login_required
def round_chart(round_id: int, name: str) -> Response:
    return _chart(_round_report(round_id), name)


# A school's report, for its assessment lead and its LA leads ------------------------------------------


def _school_report(school_id: int) -> Report:
    school = get_or_404(School, school_id)
    authorize(Permission.REPORT_SCHOOL, school)
    return _built(lambda framework_id: services.school_report(school, framework_id))


@blueprint.get("/reports/schools/<int:school_id>")
@login_required
def school_report(school_id: int) -> str:
    return _page(_school_report(school_id), school_id=school_id)


@blueprint.get("/reports/schools/<int:school_id>.<extension>")
@login_required
def school_download(school_id: int, extension: str) -> Response:
    return _download(_school_report(school_id), extension, f"school-{school_id}")


@blueprint.get("/reports/schools/<int:school_id>/charts/<name>.svg")
@login_required
def school_chart(school_id: int, name: str) -> Response:
    return _chart(_school_report(school_id), name)


# A moderator's own report: there is no route to anyone else's ----------------------------------------


def _moderator_report() -> Report:
    authorize(Permission.REPORT_MODERATOR, current_user)
    return _built(lambda framework_id: services.moderator_report(current_user, framework_id))


@blueprint.get("/reports/me")
@login_required
def moderator_report() -> str:
    return _page(_moderator_report())


@blueprint.get("/reports/me.<extension>")
@login_required
def moderator_download(extension: str) -> Response:
    return _download(_moderator_report(), extension, "my-moderation")


@blueprint.get("/reports/me/charts/<name>.svg")
@login_required
def moderator_chart(name: str) -> Response:
    return _chart(_moderator_report(), name)


# An authority's overview across rounds and years, for its LA leads -----------------------------------


def _authority_report(authority_id: int) -> Report:
    authority = get_or_404(LocalAuthority, authority_id)
    authorize(Permission.REPORT_AUTHORITY, authority)
    return _built(lambda framework_id: services.authority_report(authority, framework_id))


@blueprint.get("/reports/authorities/<int:authority_id>")
@login_required
def authority_report(authority_id: int) -> str:
    return _page(_authority_report(authority_id), authority_id=authority_id)


@blueprint.get("/reports/authorities/<int:authority_id>.<extension>")
@login_required
def authority_download(authority_id: int, extension: str) -> Response:
    return _download(_authority_report(authority_id), extension, f"authority-{authority_id}")


@blueprint.get("/reports/authorities/<int:authority_id>/charts/<name>.svg")
@login_required
def authority_chart(authority_id: int, name: str) -> Response:
    return _chart(_authority_report(authority_id), name)


# Shared ------------------------------------------------------------------------------------------------


def _built(build: Callable[[int | None], Report]) -> Report:
    """The report for ``?framework=`` (the first framework without it); a framework it has not is 404."""
    try:
        return build(request.args.get("framework", type=int))
    except services.UnknownFrameworkError:
        abort(404)


def _page(report: Report, prepared: bool = False, **ids: int) -> str:
    """``prepared``: the PDF is asked for with a button, and prepared off the request path (``downloads``)."""
    return render_template(
        "reports/report.html",
        report=report,
        ids=ids,
        prepared_pdf=ROUND_REPORT_PDF if prepared else None,
        ask_form=AskForm() if prepared else None,
        endpoint=f"reports.{report.kind.value}",
        downloads=(*SPREADSHEETS, "pdf") if report.kind is ReportKind.ROUND else SPREADSHEETS,
        charted={table.key for table in report.tables if table.charted},
        about=ABOUT_FIGURES,
        shown=tables.shown,
        interval=tables.interval,
    )


def _download(report: Report, extension: str, name: str) -> Response:
    from moderation_hub.reports import downloads  # noqa: PLC0415 - loads ReportLab, for downloads only

    if extension == "csv":
        body = downloads.as_csv(report)
    elif extension == "xlsx":
        body = downloads.as_xlsx(report)
    elif extension == "pdf" and report.kind is ReportKind.ROUND:
        body = downloads.as_pdf(report)
    else:
        abort(404)
    framework = f"-framework-{report.framework.id}" if report.framework else ""
    return attachment(body, downloads.FORMATS[extension], f"{name}{framework}-report.{extension}")


def _chart(report: Report, name: str) -> Response:
    table = report.table(name)
    if table is None or not table.charted:
        abort(404)
    return Response(services.chart_svg(report, table), content_type="image/svg+xml; charset=utf-8")
