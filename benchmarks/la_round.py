"""A whole authority's round, as its LA lead sees it: every page and download at 500 and 5,000 samples (issue 14).

Builds a revealed round (``benchmarks/la_data.py``: 120 schools, 300 moderators, k = 3, the 18 criteria of the
demo's KS2 writing framework judged in every judgement, every judgement submitted, 95% of the samples with an
agreed outcome) with bulk inserts, in a database of its own: a temporary SQLite file and, when
``TEST_DATABASE_URL`` is set, a database created for it on that PostgreSQL server (``la_bench_<random>``,
dropped at the end). Then, through Flask's test client, signed in as the authority's LA lead, it asks for every
page and download of the round, each found by its endpoint name: the round page, the reveal index (first and
last page), a sample's reveal page, the outcome page of a school with 46 samples (the same school sends 46 at
both sizes), the meeting board (HTML, JSON, and JSON again with the ETag a projector sends back), the round
report and each chart its page links to, the report as CSV, XLSX and PDF, the LA overview report, the
judgements as CSV and XLSX, the audit log and its CSV, and the dashboard (where ``/`` sends a signed-in person).

For each it prints, per database and size:

- cold: the first request in a new app, with nothing kept in the ``report_figures`` table (emptied before it, so
  a report computes its figures and draws its charts: the first request after a write), sent with
  the session cookie of one sign-in made beforehand (every app with the same secret key accepts it, as every
  worker of a server does). The process has imported every module beforehand (the chart and PDF libraries
  included), and the database's own caches are warm from building the data: it is the first request after a
  worker restarts;
- warm: the median of the next requests: 5 for a page, 3 for a download; 1 when the first took over 3 s, and
  none (shown "-"; the cold time stands for it in the summary) over 10 s, so the run takes minutes, not hours;
- statements: SQL statements the cold and the last warm request sent (a ``before_cursor_execute`` listener on
  the app's engine; SQLite's ``BEGIN`` is left out, as PostgreSQL's is implicit);
- size of the response body; for downloads, the peak of Python's memory during one more request, measured by
  ``tracemalloc`` (memory of C libraries outside Python's allocator is not counted, and the request runs
  slower under it, so its time is not used), at the largest size only.

A request that fails (a 5xx, or an exception) is shown as an error in the table and the run carries on.

Then: the slowest warm interactive page at the largest size (target under 1 s), each download's warm time and
peak memory at the largest size, and, as its last line, ``la page time growth: X``: the largest ratio, over the
interactive pages (not the downloads) and the databases, of the warm median at the largest size to that at the
smallest (target at most 2.0).

Run: ``.venv/bin/python benchmarks/la_round.py`` (SQLite), or with PostgreSQL as well:
``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/la_round.py``.
``--sizes 500,5000`` (the default) sets the round sizes. Both databases and both sizes take 5-6 minutes of this
process's CPU, much of it drawing the PDFs; on this 2-core machine runs took 14-18 minutes while other work kept
its load average between 5 and 10 (each table's heading gives the load average, as other work slows every figure).
"""

import sys
from pathlib import Path

# Import from the project, not from beside this script: benchmarks/statistics.py would stand in for the
# standard library's statistics module, which the app's libraries import.
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import math
import os
import re
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event, text
from werkzeug.test import TestResponse

from benchmarks.la_data import LA_LEAD_EMAIL, PASSWORD, BuiltRound, build_round
from benchmarks.scratch import benchmark_app, scratch_database
from moderation_hub.reports import charts, downloads  # noqa: F401 - imported before any clock starts
from moderation_hub.rounds import reveal

PAGE_RUNS, DOWNLOAD_RUNS = 5, 3
# After a first request slower than this many seconds, this many warm runs (none: its cold time stands for it).
FEWER_RUNS = ((10.0, 0), (3.0, 1))
PAGE_TARGET_SECONDS, GROWTH_TARGET = 1.0, 2.0
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Target:
    name: str
    endpoint: str
    values: dict[str, Any]
    download: bool = False
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Result:
    name: str
    path: str
    download: bool
    status: str = ""
    cold: float = math.nan
    warm: float = math.nan
    warm_cpu: float = math.nan  # this process's CPU time, median of the warm runs: on SQLite the whole request
    statements_cold: int = 0
    statements_warm: int = 0
    size: int = 0
    peak: int | None = None
    body: bytes = field(default=b"", repr=False)
    etag: str | None = None
    detail: str = ""  # what failed

    @property
    def ok(self) -> bool:
        return self.status in ("200", "304")


class StatementCounter:
    def __init__(self, app: Flask) -> None:
        self.count = 0
        event.listen(app.extensions["database"]["engine"], "before_cursor_execute", self._counted)

    def _counted(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.count += 1


# Requests -------------------------------------------------------------------------------------------------


def client_of(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"  # Flask-WTF checks it over HTTPS
    return client


def session_cookie(app: Flask) -> str:
    """The LA lead's session cookie, from signing in once: every app made with the same secret key accepts it,
    as every worker of a server does, so no measured app spends half a second checking the password."""
    client = client_of(app)
    match = CSRF.search(client.get("/sign-in").get_data(as_text=True))
    if match is None:
        raise SystemExit("the sign-in page has no CSRF token")
    form = {"email": LA_LEAD_EMAIL, "password": PASSWORD, "csrf_token": match.group(1) or match.group(2)}
    signed_in = client.post("/sign-in", data=form).status_code == 302
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if not signed_in or cookie is None:
        raise SystemExit(f"could not sign in as {LA_LEAD_EMAIL}")
    return cookie.value


def timed(client: FlaskClient, path: str, headers: tuple[tuple[str, str], ...]) -> tuple[float, TestResponse]:
    started = time.perf_counter()
    response = client.get(path, headers=list(headers), buffered=True)
    if response.status_code == 303 and "/downloads/new/" in response.location:
        response = prepared(client, response.location)
    response.get_data()
    return time.perf_counter() - started, response


def prepared(client: FlaskClient, ask: str) -> TestResponse:
    """A download a large round prepares off the request path (``moderation_hub.downloads``), timed as a person gets
    it: its ask page, the POST that asks (JOB_IMMEDIATE builds it there, as a worker would meanwhile; asked again for
    the same data, the file already made is reused), then the file."""
    match = CSRF.search(client.get(ask).get_data(as_text=True))
    if match is None:
        raise SystemExit("the prepared download's page has no CSRF token")
    progress = client.post(ask, data={"csrf_token": match.group(1) or match.group(2)})
    return client.get(f"{progress.location.removeprefix('https://localhost')}/file", buffered=True)


@dataclass(frozen=True)
class Setting:
    database_url: str
    folder: Path
    cookie: str
    trace_memory: bool  # measure downloads' peak memory too


def measure(target: Target, path: str, setting: Setting) -> Result:
    """Cold in a new app, then warm; a failed request ends the target's measurement with an error."""
    app = benchmark_app(setting.database_url, setting.folder, "la-round-benchmark")
    result = Result(target.name, path, target.download)
    try:
        counter = StatementCounter(app)
        client = client_of(app)
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], setting.cookie, domain="localhost")
        with app.extensions["database"]["engine"].begin() as connection:
            connection.execute(text("DELETE FROM report_figures"))  # shared by every app: cold computes again
            connection.execute(text("DELETE FROM prepared_download"))  # and prepares its downloads again
        result.cold, response = timed(client, path, target.headers)
        result.statements_cold, result.status = counter.count, str(response.status_code)
        body = response.get_data()
        result.size, result.etag = len(body), response.headers.get("ETag")
        result.body = b"" if target.download else body  # a page's links are read for more targets
        if not result.ok:
            return result
        runs = next((runs for slow, runs in FEWER_RUNS if result.cold > slow), None)
        runs = (DOWNLOAD_RUNS if target.download else PAGE_RUNS) if runs is None else runs
        times, cpu_times = [], []
        for _ in range(runs):
            counter.count = 0
            cpu_started = time.process_time()
            seconds, response = timed(client, path, target.headers)
            times.append(seconds)
            cpu_times.append(time.process_time() - cpu_started)
            if str(response.status_code) != result.status:
                result.status = str(response.status_code)
                return result
        if times:
            result.warm, result.statements_warm, result.warm_cpu = median(times), counter.count, median(cpu_times)
        if target.download and setting.trace_memory:
            tracemalloc.start()
            try:
                timed(client, path, target.headers)
                result.peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    except Exception as error:  # a failing page is a result to report, not the end of the run
        result.status, result.detail = "error", f"{type(error).__name__}: {error}"
    finally:
        app.extensions["database"]["engine"].dispose()
    return result


def targets(built: BuiltRound) -> list[Target]:
    round_ = {"round_id": built.round_id}
    per_page = getattr(reveal, "ENTRIES_PER_PAGE", 50)
    last_page = math.ceil(built.samples / per_page)
    return [
        Target("round page", "rounds.detail", round_),
        Target("reveal index, page 1", "rounds.reveal_index", round_),
        Target("reveal index, last page", "rounds.reveal_index", round_ | {"page": last_page}),
        Target("reveal: one sample", "rounds.reveal_entry", round_ | {"code": built.middle_entry_code}),
        Target(
            "school outcome (46 samples)",
            "rounds.school_outcome",
            round_ | {"taking_part_id": built.reference_taking_part_id},
        ),
        Target("meeting board", "rounds.board", round_),
        Target("meeting board JSON", "rounds.board_data", round_),
        Target("round report", "reports.round_report", round_),
        Target("LA overview report", "reports.authority_report", {"authority_id": built.authority_id}),
        Target("audit log", "rounds.audit", round_),
        Target("dashboard", "pages.dashboard", {}),
        Target("report CSV", "reports.round_download", round_ | {"extension": "csv"}, download=True),
        Target("report XLSX", "reports.round_download", round_ | {"extension": "xlsx"}, download=True),
        Target("report PDF", "reports.round_download", round_ | {"extension": "pdf"}, download=True),
        Target("judgements CSV", "rounds.export", round_ | {"extension": "csv"}, download=True),
        Target("judgements XLSX", "rounds.export", round_ | {"extension": "xlsx"}, download=True),
        Target("audit CSV", "rounds.audit_export", round_, download=True),
    ]


def follow_ups(result: Result, built: BuiltRound) -> list[Target]:
    """Targets found in an answer: the report's charts, the audit log's next page, and the board's JSON as a projector
    asks again."""
    if result.name == "round report" and result.ok:
        names = dict.fromkeys(re.findall(r"/charts/([\w-]+)\.svg", result.body.decode()))
        return [
            Target(f"chart {name}", "reports.round_chart", {"round_id": built.round_id, "name": name}) for name in names
        ]
    if result.name == "audit log" and result.ok:
        older = re.search(r'href="[^"]*/audit\?before=(\d+)', result.body.decode())
        if older:  # keyset paging: a page further back costs what the first does
            asked = {"round_id": built.round_id, "before": int(older[1])}
            return [Target("audit log, an older page", "rounds.audit", asked)]
    if result.name == "meeting board JSON" and result.etag:
        return [
            Target(
                "meeting board JSON, unchanged",
                "rounds.board_data",
                {"round_id": built.round_id},
                headers=(("If-None-Match", result.etag),),
            )
        ]
    return []


def measure_round(database: str, database_url: str, size: int, folder: Path, trace_memory: bool) -> list[Result]:
    started = time.perf_counter()
    builder = benchmark_app(database_url, folder, "la-round-benchmark")
    with builder.app_context():
        built = build_round(size)
    setting = Setting(database_url, folder, session_cookie(builder), trace_memory)
    builder.extensions["database"]["engine"].dispose()
    print(
        f"\n{database}, {size:,} samples: {built.judgements:,} judgements, {built.verdicts:,} criterion verdicts, "
        f"{built.audit_events:,} audit events; built in {time.perf_counter() - started:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"  # other work on the host slows every figure
    )
    print(f"{'page':<34} {'status':>7} {'cold s':>7} {'warm s':>7} {'statements':>11} {'size':>9}  path")
    pending, results = targets(built), []
    while pending:
        target = pending.pop(0)
        with builder.test_request_context():
            path = url_for(target.endpoint, **target.values)
        result = measure(target, path, setting)
        print(row(result), flush=True)
        if result.detail:
            print(f"    {result.detail[:200]}")
        results.append(result)
        pending[0:0] = follow_ups(result, built)
    return results


def row(result: Result) -> str:
    statements = f"{result.statements_cold}/{result.statements_warm or '-'}" if result.ok else ""
    cold, warm = ("-" if math.isnan(seconds) else f"{seconds:.3f}" for seconds in (result.cold, result.warm))
    return (
        f"{result.name:<34} {result.status:>7} {cold:>7} {warm:>7} {statements:>11} "
        f"{size_text(result.size):>9}  {result.path}"
    )


def size_text(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"


# Summary --------------------------------------------------------------------------------------------------


def timed_page(result: Result) -> bool:
    """An interactive page (not a download) that answered, with a warm time."""
    return not result.download and result.ok and not math.isnan(result.warm)


def summary(runs: dict[tuple[str, int], list[Result]], sizes: list[int]) -> None:
    largest, smallest = max(sizes), min(sizes)
    databases = list(dict.fromkeys(database for database, _ in runs))
    print(f"\nAt {largest:,} samples:")
    slowest: tuple[float, str] = (0.0, "")
    for database in databases:
        pages = [r for r in runs[database, largest] if timed_page(r)]
        if not pages:
            continue
        page = max(pages, key=lambda r: r.warm)
        slowest = max(slowest, (page.warm, f"{page.name} on {database}"))
        print(f"  {database}: slowest warm interactive page: {page.name}, {page.warm:.3f} s")
        failed = [r.name for r in runs[database, largest] if not r.ok]
        if failed:
            print(f"  {database}: failed: {', '.join(failed)}")
    print(f"slowest warm interactive page: {slowest[1]}, {slowest[0]:.3f} s (target under {PAGE_TARGET_SECONDS} s)")
    print(f"\nDownloads at {largest:,} samples (warm median; peak Python memory during the request, tracemalloc):")
    for database in databases:
        for result in (r for r in runs[database, largest] if r.download):
            seconds, which = (result.cold, "cold") if math.isnan(result.warm) else (result.warm, "warm")
            figures = (
                f"{seconds:7.3f} s ({which})  peak {result.peak / 1e6:6.1f} MB  size {size_text(result.size)}"
                if result.ok and result.peak is not None
                else result.status
            )
            print(f"  {database:<10} {result.name:<18} {figures}")
    if largest == smallest:
        print("la page time growth: n/a (needs two sizes)")
        return
    growth: tuple[float, str] = (0.0, "")
    print(f"\nWarm time at {largest:,} / at {smallest:,} samples, interactive pages (target at most {GROWTH_TARGET}):")
    for database in databases:
        before = {r.name: r.warm for r in runs[database, smallest] if timed_page(r)}
        ratios = sorted(
            ((r.warm / before[r.name], r.name) for r in runs[database, largest] if r.name in before and timed_page(r)),
            reverse=True,
        )
        compared = {name for _, name in ratios}
        left_out = [r.name for r in runs[database, largest] if not r.download and r.name not in compared]
        if left_out:
            print(f"  {database}: not compared (failed, or no warm time, at one size): {', '.join(left_out)}")
        if not ratios:
            continue
        print(f"  {database}: " + ", ".join(f"{name} {ratio:.2f}" for ratio, name in ratios[:5]))
        growth = max(growth, (ratios[0][0], f"{ratios[0][1]} on {database}"))
    print(f"largest growth: {growth[1]}")
    cpu_growth(runs, smallest, largest)
    print(f"la page time growth: {growth[0]:.2f}")


def cpu_growth(runs: dict[tuple[str, int], list[Result]], smallest: int, largest: int) -> None:
    """The same ratio of this process's CPU time on SQLite, where the database works inside the process too: on a
    host whose load varies between the two sizes, wall time of a page of a few milliseconds says more about the
    load than about the page (the same page measured 1.0 and 9.7 in two runs of the same code at load 8-11)."""
    if ("SQLite", smallest) not in runs or ("SQLite", largest) not in runs:
        return
    before = {r.name: r.warm_cpu for r in runs["SQLite", smallest] if timed_page(r) and r.warm_cpu > 0}
    ratios = sorted(
        (
            (r.warm_cpu / before[r.name], r.name)
            for r in runs["SQLite", largest]
            if r.name in before and timed_page(r) and not math.isnan(r.warm_cpu)
        ),
        reverse=True,
    )
    if ratios:
        print("  SQLite, CPU time of the request: " + ", ".join(f"{name} {ratio:.2f}" for ratio, name in ratios[:5]))
        print(f"la page CPU growth (SQLite): {ratios[0][0]:.2f} ({ratios[0][1]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="500,5000", help="round sizes in samples, comma-separated")
    sizes = sorted(int(size) for size in parser.parse_args().sizes.split(","))
    databases = [("SQLite", None)]
    if server_url := os.environ.get("TEST_DATABASE_URL"):
        databases.append(("PostgreSQL", server_url))
    runs: dict[tuple[str, int], list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="la-round-") as temporary:
        for database, server in databases:
            for size in sizes:
                folder = Path(temporary) / f"{database}-{size}"
                folder.mkdir()
                place = scratch_database(server, folder, f"la-round-{size}")
                with place as database_url:
                    trace_memory = size == sizes[-1]  # the summary gives downloads' memory at the largest size
                    runs[database, size] = measure_round(database, database_url, size, folder, trace_memory)
    summary(runs, sizes)


if __name__ == "__main__":
    main()
