"""The kinds of file that are prepared off the request path: one ``DownloadKind`` each, in ``KINDS``.

A kind says who may ask (a permission, checked against the object its arguments name, when asked and again at
every download), what the file is called and is, the version of the data it is made from (two asks of one
version share one file), and how to write it. Adding a kind (the standards booklet, a subject-access zip) is
one entry here: its builder lives in its own capability and is imported only when a worker builds the file,
so heavy libraries (ReportLab, openpyxl) stay out of every page.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from moderation_hub.audit.services import record
from moderation_hub.db import MAX_ROW_ID, db
from moderation_hub.permissions import Permission
from moderation_hub.reports import cache, data
from moderation_hub.rounds import exports
from moderation_hub.rounds.models import ModerationRound
from moderation_hub.standards import booklet

Arguments = dict[str, int]
_ID_DIGITS = len(str(MAX_ROW_ID))
Progress = Callable[[int, int], None]  # (steps done, steps in all): called as the file is written


@dataclass(frozen=True)
class Described:
    """What one ask is for, once its object is loaded and the asker authorised."""

    arguments: Arguments  # as stored and handed to the builder: defaults filled in, so equal asks are equal
    title: str  # shown in the asker's list of downloads
    version: str | None  # of the data the file is made from; None: never shared, always built afresh


@dataclass(frozen=True)
class DownloadKind:
    key: str  # in URLs and rows: lower case and hyphens
    label: str  # "Agreement report with charts (PDF)"
    permission: Permission  # checked against ``subject``, when asked and at every download
    content_type: str
    required: tuple[str, ...]  # names of the id arguments the kind needs (query arguments of the ask)
    subject: Callable[[Arguments], Any]  # the object the permission is checked against; None: 404
    describe: Callable[[Any, Arguments], Described | None]  # None: nothing to prepare for these arguments (404)
    file_name: Callable[[Arguments], str]  # made of ids only (``storage.base.DOWNLOAD_NAME_PATTERN``)
    build: Callable[[Arguments, BinaryIO, Progress], None]  # writes the file to ``out``, reporting progress
    optional: tuple[str, ...] = ()
    served: Callable[[Any, Any, int], None] | None = None  # (person, subject, rows) each time the file is sent

    def parse(self, query: Mapping[str, str]) -> Arguments | None:
        """The kind's arguments from a query string: each a row id; None when one is missing or not an id."""
        arguments: Arguments = {}
        for name in (*self.required, *self.optional):
            text = query.get(name)
            if text is None or text == "":
                if name in self.required:
                    return None
                continue
            if len(text) > _ID_DIGITS or not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ROW_ID:
                return None
            arguments[name] = int(text)
        return arguments


# The round report with charts -----------------------------------------------------------------------------


def _round(arguments: Arguments) -> ModerationRound | None:
    return db.session.get(ModerationRound, arguments["round"])


def _describe_round_report(round_: ModerationRound, arguments: Arguments) -> Described | None:
    """The report of ``framework`` (the round's first without it; none is 404), under the version its figures are
    kept under (``reports.cache``), read without computing them."""
    scope = data.round_scope(round_)
    wanted = arguments.get("framework")
    frameworks = data.frameworks_in(scope)
    framework = next((f for f in frameworks if wanted is None or f.id == wanted), None)
    if framework is None:
        return None
    version = cache.version_of(data.version(scope, framework))
    title = f"{round_.name}: agreement report (PDF)"
    return Described({"round": round_.id, "framework": framework.id}, title, version)


def _build_round_report(arguments: Arguments, out: BinaryIO, progress: Progress) -> None:
    from moderation_hub.reports import downloads  # noqa: PLC0415 - loads ReportLab, in the worker only

    downloads.write_round_pdf(arguments["round"], arguments["framework"], out, progress)


# A round's judgements as a spreadsheet --------------------------------------------------------------------


def _describe_judgements(round_: ModerationRound, _arguments: Arguments) -> Described:
    return Described({"round": round_.id}, f"{round_.name}: judgements (XLSX)", exports.judgements_version(round_.id))


def _build_judgements(arguments: Arguments, out: BinaryIO, progress: Progress) -> None:
    exports.write_judgements_xlsx(arguments["round"], out, progress)


def _judgements_served(person: Any, round_: ModerationRound, rows: int) -> None:
    """Each download of the judgements is in the round's audit log, as when they were sent straight away."""
    record(person.id, "round.exported", round_, format="xlsx", rows=rows)


ROUND_REPORT_PDF = DownloadKind(
    key="round-report-pdf",
    label="Agreement report with charts (PDF)",
    permission=Permission.REPORT_ROUND,
    content_type="application/pdf",
    required=("round",),
    optional=("framework",),
    subject=_round,
    describe=_describe_round_report,
    file_name=lambda arguments: f"round-{arguments['round']}-framework-{arguments['framework']}-report.pdf",
    build=_build_round_report,
)

JUDGEMENTS_XLSX = DownloadKind(
    key="judgements-xlsx",
    label="Judgements and outcomes (XLSX spreadsheet)",
    permission=Permission.ROUND_MANAGE,
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    required=("round",),
    subject=_round,
    describe=_describe_judgements,
    file_name=lambda arguments: f"round-{arguments['round']}-judgements.xlsx",
    build=_build_judgements,
    served=_judgements_served,
)


# The standards booklet: a selection of the exemplars its reader may read ---------------------------------


def _describe_booklet(request: booklet.BookletRequest, _arguments: Arguments) -> Described | None:
    """Versioned by the fingerprint of what it holds; None when it would hold nothing."""
    reader = booklet.reader_of(request)
    if reader is None or not booklet.count(reader, request.filters):
        return None
    return Described(request.as_arguments(), f"{booklet.title_of(request.filters)} (PDF)", str(request.fingerprint))


STANDARDS_BOOKLET = DownloadKind(
    key=booklet.BOOKLET_KIND,
    label="Standards file booklet (PDF)",
    permission=Permission.STANDARDS_BOOKLET,
    content_type="application/pdf",
    required=("reader", "selection"),
    optional=("framework", "year", "standard"),
    subject=booklet.subject,
    describe=_describe_booklet,
    file_name=lambda arguments: f"standards-booklet-{arguments['selection']}.pdf",
    build=booklet.build_booklet,  # imports PyMuPDF when it runs, in the worker
)

KINDS: dict[str, DownloadKind] = {kind.key: kind for kind in (ROUND_REPORT_PDF, JUDGEMENTS_XLSX, STANDARDS_BOOKLET)}
