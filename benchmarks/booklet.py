"""A 200-page standards booklet through the real export, against a bare PyMuPDF loop placing the same images.

Twenty synthetic published exemplars of the demo's KS2 writing framework go into an empty SQLite database by bulk
inserts (samples, exemplars, revisions with their content, copied images, live permissions), each with eight
distinct page images (1131 x 1600 JPEGs at quality 85, like the display images the ingestion makes, about 220 KB)
in local storage. The booklet of every exemplar is 202 pages: the cover, the contents, and per exemplar its summary
and evidence grid, its eight annotated pages and its commentary.

Each side runs five times in a fresh child process of its own, as a long-lived worker runs jobs, and keeps its best
run: the real export is ``standards.booklet.build_booklet`` (the reader's selection and fingerprint read from the
database, the exemplars loaded, the PDF drawn and written to a file); the bare loop reads the same 160 images from
storage, places each on a page of its own with ``Page.insert_image`` and saves to a file. Both sides save with the
same options (no garbage collection, no deflate: the JPEGs are stored as they are) and open their file once at the
end to count its pages. Printed: each side's wall time and CPU time (user and system: on a shared host the wall
time mostly measures the other work), its child's peak resident memory during a run (``VmHWM``, reset before each
run; the interpreter, the app and its libraries included), and last ``booklet overhead ratio: X``, of the CPU
times (real / bare; target at most 1.5; peak memory target under 500 MB).

Run: ``.venv/bin/python benchmarks/booklet.py``.
"""

import contextlib
import datetime as dt
import io
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on the path, and its statistics.py would stand in for the standard
# library's, which PyMuPDF imports.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import pymupdf  # noqa: E402 - after the path is put right
import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from moderation_hub import create_app  # noqa: E402
from moderation_hub.accounts.models import Membership, Role, User  # noqa: E402
from moderation_hub.db import Base, db  # noqa: E402
from moderation_hub.frameworks.models import Framework  # noqa: E402
from moderation_hub.frameworks.services import demo_framework_files, import_framework_file  # noqa: E402
from moderation_hub.organisations.models import LocalAuthority, School  # noqa: E402
from moderation_hub.samples.models import SampleState, WorkSample  # noqa: E402
from moderation_hub.standards.booklet import Filters, build_booklet, request_for  # noqa: E402
from moderation_hub.standards.booklet_pdf import BODY, PAGE  # noqa: E402
from moderation_hub.standards.models import (  # noqa: E402
    Exemplar,
    ExemplarImage,
    ExemplarRevision,
    ExemplarSource,
    ExemplarState,
    PublicationPermission,
    PublicationScope,
)
from moderation_hub.storage import storage  # noqa: E402

SEED = 20261207
EXEMPLARS, PAGES_PER_EXEMPLAR, ANNOTATIONS_PER_PAGE = 20, 8, 3
IMAGE_SIZE = (1131, 1600)
RUNS = 5
FRAMEWORK_SLUG = "ks2-writing-ta"
READER_EMAIL = "reader@bench.moderation-hub.test"
COMMENTARY = (
    "The collection shows a secure grasp of the statements at this standard across pieces written for different "
    "purposes. Paragraphs are organised and linked; punctuation is mostly accurate, though speech punctuation slips "
    "in the longer narrative (piece B, page 2). Vocabulary is chosen for effect in the persuasive letter."
)


def new_app(folder: Path) -> Flask:
    return create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": "booklet-benchmark",
            "DATABASE_URL": f"sqlite:///{folder / 'booklet.sqlite3'}",
            "STORAGE_URL": f"file://{folder / 'uploads'}",
            "SERVER_NAME": "localhost",
            "INSTANCE_PATH": str(folder / "instance"),
            "JOB_IMMEDIATE": True,
            "LOG_LEVEL": "WARNING",
        }
    )


def page_images(count: int) -> list[bytes]:
    """``count`` distinct lined pages of scattered words with a little noise, as JPEGs at quality 85."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, nothing secret
    base = Image.new("RGB", IMAGE_SIZE, (250, 248, 240))
    draw = ImageDraw.Draw(base)
    for y in range(100, IMAGE_SIZE[1], 40):
        draw.line((0, y, IMAGE_SIZE[0], y), fill=(180, 200, 230), width=2)
    for number in range(400):
        draw.text((rng.randint(0, 1100), rng.randint(0, 1580)), f"word{number}", fill=(20, 20, 60))
    noise = Image.effect_noise(IMAGE_SIZE, 12).convert("RGB")
    base = Image.blend(base.filter(ImageFilter.GaussianBlur(0.6)), noise, 0.08)
    images = []
    for number in range(count):
        page = base.copy()
        ImageDraw.Draw(page).text((50 + number % 500, 20), f"page {number}", fill=(0, 0, 0))
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=85)
        images.append(buffer.getvalue())
    return images


def build_library() -> list[str]:
    """The exemplars and their images; returns the display keys in the booklet's order."""
    Base.metadata.create_all(db.engine)
    framework_file = next(path for path in demo_framework_files() if path.stem == FRAMEWORK_SLUG)
    import_framework_file(framework_file.read_bytes())
    db.session.commit()
    framework = db.session.scalar(sa.select(Framework).where(Framework.slug == FRAMEWORK_SLUG))
    if framework is None:
        raise RuntimeError("the demo framework did not import")
    framework_id = framework.id
    standards = [standard.id for standard in framework.standards]
    criteria = [(criterion.code, criterion.statement) for criterion in framework.criteria]
    db.session.close()  # its read transaction would hold SQLite's lock against the inserts
    keys = []
    for image in page_images(EXEMPLARS * PAGES_PER_EXEMPLAR):
        key = storage().new_key()
        storage().put(key, image, "image/jpeg")
        keys.append(key)
    with db.engine.begin() as connection:
        authority_id = _insert(connection, LocalAuthority, [{"name": "Northshire County Council", "code": "NS"}])[0]
        school_id = _insert(
            connection,
            School,
            [
                {
                    "authority_id": authority_id,
                    "urn": "100001",
                    "name": "Alder",
                    "phase": "primary",
                    "school_type": "primary",
                }
            ],
        )[0]
        reader_id = _insert(connection, User, [{"email": READER_EMAIL, "display_name": "A reader"}])[0]
        _insert(connection, Membership, [{"user_id": reader_id, "role": Role.TEACHER, "school_id": school_id}])
        sample_ids = _insert(
            connection,
            WorkSample,
            [
                {
                    "school_id": school_id,
                    "framework_id": framework_id,
                    "pupil_code": f"P{number:03d}",
                    "year_group": 6,
                    "academic_year": 2025,
                    "state": SampleState.SUBMITTED,
                }
                for number in range(EXEMPLARS)
            ],
        )
        _insert(
            connection,
            PublicationPermission,
            [
                {
                    "sample_id": sample_id,
                    "given_by": "Parent (signed form)",
                    "given_on": dt.date(2026, 1, 5),
                    "scope": PublicationScope.AUTHORITY,
                }
                for sample_id in sample_ids
            ],
        )
        exemplar_ids = _insert(
            connection,
            Exemplar,
            [
                {
                    "code": f"{number:016x}",
                    "authority_id": authority_id,
                    "sample_id": sample_id,
                    "framework_id": framework_id,
                    "standard_id": standards[number % len(standards)],
                    "year_group": 6,
                    "state": ExemplarState.PUBLISHED,
                    "source": ExemplarSource.ROUND,
                    "round_name": "Year 6 writing 2025",
                    "moderator_count": 3,
                    "overall_agreement": 1.0,
                    "revisions_made": 1,
                }
                for number, sample_id in enumerate(sample_ids)
            ],
        )
        _insert(
            connection,
            ExemplarRevision,
            [
                {"exemplar_id": exemplar_id, "number": 1, "commentary": COMMENTARY, "content": _content(criteria)}
                for exemplar_id in exemplar_ids
            ],
        )
        _insert(
            connection,
            ExemplarImage,
            [
                {
                    "exemplar_id": exemplar_id,
                    "position": position,
                    "width": IMAGE_SIZE[0],
                    "height": IMAGE_SIZE[1],
                    "display_key": keys[number * PAGES_PER_EXEMPLAR + position - 1],
                    "thumbnail_key": keys[number * PAGES_PER_EXEMPLAR + position - 1],
                }
                for number, exemplar_id in enumerate(exemplar_ids)
                for position in range(1, PAGES_PER_EXEMPLAR + 1)
            ],
        )
    return keys


def _content(criteria: list[tuple[str, str]]) -> dict[str, Any]:
    pages, numbers = [], iter(range(1, 1000))
    for position in range(1, PAGES_PER_EXEMPLAR + 1):
        annotations = []
        for index in range(ANNOTATIONS_PER_PAGE):
            top = 0.1 + 0.25 * index
            annotations.append(
                {
                    "number": next(numbers),
                    "comment": "Fronted adverbial used to link the paragraphs; a relative clause adds detail.",
                    "criteria": [criteria[index % len(criteria)][0]],
                    "box": [0.1, top, 0.6, top + 0.08],
                }
            )
        pages.append(
            {"position": position, "piece": "AB"[position > PAGES_PER_EXEMPLAR // 2], "annotations": annotations}
        )
    statements = [
        {
            "code": code,
            "statement": statement,
            "text": COMMENTARY,
            "citations": [{"label": "Piece B, page 2"}],
        }
        for code, statement in criteria[:4]
    ]
    return {
        "pupil": "Pupil A",
        "pieces": [
            {"letter": "A", "title": "The dragon's hill", "purpose": "narrative", "independence": "Independent"},
            {"letter": "B", "title": "A letter to the council", "purpose": "persuasive", "independence": "Independent"},
        ],
        "pages": pages,
        "grid": {
            "columns": ["A", "B"],
            "rows": [
                {"code": code, "statement": statement, "cells": [[1, 4], [13]]} for code, statement in criteria[:6]
            ],
        },
        "commentary": {"statements": statements, "why_not_next": COMMENTARY, "next_standard": None},
    }


def _insert(connection: sa.Connection, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    table = model.__table__
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.execute(statement, rows).scalars())


# The two sides, each in a child process -------------------------------------------------------------------


def real_export(out_path: Path) -> int:
    """The booklet of every exemplar the reader may read, as the worker builds it; its number of pages."""
    reader = db.session.scalar(sa.select(User).where(User.email == READER_EMAIL))
    if reader is None:
        raise RuntimeError("the reader is missing")
    arguments = request_for(reader, Filters()).as_arguments()
    with out_path.open("wb") as out:
        build_booklet(arguments, out, lambda _done, _total: None)
    db.session.rollback()  # as the worker ends its job
    return pymupdf.open(out_path).page_count


def bare_loop(out_path: Path, keys: list[str]) -> int:
    """The same images, each read from storage and placed on a page of its own, nothing else."""
    document = pymupdf.open()
    for key in keys:
        page = document.new_page(width=PAGE.width, height=PAGE.height)
        page.insert_image(BODY, stream=storage().get(key))
    document.save(out_path)
    document.close()
    return pymupdf.open(out_path).page_count


def _peak_resident() -> int:
    """This process's peak resident memory (``VmHWM``) in bytes, since it began or since ``_reset_peak``."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak() -> None:
    """Start the peak afresh from what the process holds now (Linux 4.0 and later), to see one run's own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def _child(side: str, folder: str, keys: list[str], answer: Any) -> None:
    """``RUNS`` runs of one side in this process, as a long-lived worker runs jobs: the best time is kept, and the
    highest peak resident memory during a run (the process's size as it began included)."""
    app = new_app(Path(folder))
    wall, cpu, pages, peak = float("inf"), float("inf"), 0, 0
    with app.app_context():
        for attempt in range(RUNS):
            out_path = Path(folder) / f"{side}-{attempt}.pdf"
            _reset_peak()
            started, started_cpu = time.perf_counter(), time.process_time()
            pages = real_export(out_path) if side == "real" else bare_loop(out_path, keys)
            wall, cpu = min(wall, time.perf_counter() - started), min(cpu, time.process_time() - started_cpu)
            peak = max(peak, _peak_resident())
            out_path.unlink()
    answer.send(Side(wall, cpu, pages, peak))


@dataclass(frozen=True)
class Side:
    wall: float  # seconds, best run
    cpu: float  # seconds of user and system time, best run
    pages: int
    peak: int  # bytes resident at most during a run

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.wall:.3f} s wall, {self.cpu:.3f} s CPU for {self.pages} pages; "
            f"peak memory {self.peak / 2**20:.0f} MB"
        )


def run(side: str, folder: Path, keys: list[str]) -> Side:
    """One side's best times, pages written and peak resident memory, in a fresh interpreter of its own."""
    context = multiprocessing.get_context("spawn")  # nothing of this process's memory
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(side, str(folder), keys, sender))
    child.start()
    sender.close()
    answer = receiver.recv()
    child.join()
    return answer


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="booklet-bench-") as temporary:
        folder = Path(temporary)
        app = new_app(folder)
        started = time.perf_counter()
        with app.app_context():
            keys = build_library()
            stored = sum(len(storage().get(key)) for key in keys)
        app.extensions["database"]["engine"].dispose()
        print(
            f"{EXEMPLARS} exemplars, {len(keys)} page images ({stored / len(keys) / 1024:.0f} KB each) built in "
            f"{time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        real = run("real", folder, keys)
        bare = run("bare", folder, keys)
    print(real.line("real export"))
    print(bare.line("bare PyMuPDF loop"))
    print(f"wall time ratio: {real.wall / bare.wall:.2f}")
    print(f"booklet overhead ratio: {real.cpu / bare.cpu:.2f}")


if __name__ == "__main__":
    main()
