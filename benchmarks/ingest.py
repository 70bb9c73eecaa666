"""Ingestion throughput: the real pipeline against the bare library work on the same inputs.

Generates a 30-page scanned-style PDF (image pages at 200 dpi, no text layer) and 20 phone photos of
12 megapixels, then:

- pipeline: each file through ``accept_upload`` (checked in the sandbox, stored) and the worker's job
  (rendered in the sandbox, master + display + thumbnail stored, pages committed), on SQLite and local
  storage in a temporary instance folder;
- bare: PyMuPDF renders each PDF page, Pillow decodes each photo, and both resize and encode the
  display and thumbnail JPEGs, in a plain loop in this process.

Prints pages per second for both, the peak memory of the pipeline's processes (this one and the
largest sandbox child) for the 60-page case, and as its last line ``ingest overhead ratio: X``
(pipeline time / bare time). Run: ``.venv/bin/python benchmarks/ingest.py``.
"""

import io
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation_hub import create_app
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.db import Base, db
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.samples.services import SampleDetails, create_sample
from moderation_hub.samples.uploads import accept_upload

PDF_PAGES = 30
PHOTOS = 20
PHOTO_SIZE = (4000, 3000)  # 12 megapixels
DISPLAY_LONG_EDGE, THUMBNAIL_LONG_EDGE = 1600, 240
MB = 1024 * 1024


def scanned_page(number: int) -> bytes:
    """An A4 page at 200 dpi: lined paper, some 'writing' strokes and scanner noise, as a JPEG."""
    page = Image.new("RGB", (1654, 2339), (250, 248, 240))
    draw = ImageDraw.Draw(page)
    for y in range(200, 2300, 70):
        draw.line((80, y, 1580, y), fill=(170, 190, 220), width=2)
    for row, y in enumerate(range(190, 2280, 70)):
        for x in range(120 + (row * 37 + number * 11) % 90, 1500, 95):
            draw.arc((x, y - 40, x + 60, y), start=0, end=300, fill=(40, 40, 60), width=4)
    noise = Image.effect_noise(page.size, 12).convert("RGB")
    page = Image.blend(page, noise, 0.06)
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=75)
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    document = pymupdf.open()
    for number in range(PDF_PAGES):
        page = document.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=scanned_page(number))
    return document.tobytes()


def phone_photo(number: int) -> bytes:
    """A 12 MP landscape-stored photo with EXIF orientation 6, as phones save portrait shots."""
    base = Image.effect_noise((PHOTO_SIZE[0] // 4, PHOTO_SIZE[1] // 4), 40 + number).convert("RGB")
    photo = base.resize(PHOTO_SIZE, Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=88, exif=exif)
    return buffer.getvalue()


def bare(pdf: bytes, photos: list[bytes]) -> float:
    """The library work alone: render or decode, resize, encode display and thumbnail."""
    started = time.perf_counter()
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        for page in document:
            zoom = DISPLAY_LONG_EDGE / max(page.rect.width, page.rect.height)
            pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            encode(Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples))
    for data in photos:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (image.width // 2, image.height // 2))
        image = ImageOps.exif_transpose(image)
        image.thumbnail((DISPLAY_LONG_EDGE, DISPLAY_LONG_EDGE))
        encode(image)
    return time.perf_counter() - started


def encode(display: Image.Image) -> None:
    display.save(io.BytesIO(), "JPEG", quality=85)
    thumbnail = display.copy()
    thumbnail.thumbnail((THUMBNAIL_LONG_EDGE, THUMBNAIL_LONG_EDGE))
    thumbnail.save(io.BytesIO(), "JPEG", quality=80)


def pipeline(pdf: bytes, photos: list[bytes], instance: Path) -> tuple[float, int]:
    app = create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": "benchmark",
            "INSTANCE_PATH": str(instance),
            "JOB_IMMEDIATE": True,
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        with db.transaction():
            sample, teacher = arrange()
        started = time.perf_counter()
        for name, data in [("scan.pdf", pdf)] + [(f"photo{n}.jpg", photo) for n, photo in enumerate(photos)]:
            with db.transaction():  # commits, then the job runs at once (JOB_IMMEDIATE) as a worker would
                accept_upload(db.session.merge(sample), name, data, db.session.merge(teacher))
        elapsed = time.perf_counter() - started
        sample = db.session.merge(sample)
        return elapsed, len(sample.pages)


def arrange() -> tuple[object, User]:
    authority = LocalAuthority(name="Benchmark Council", code="BEN")
    school = School(
        authority=authority,
        urn="999999",
        name="Benchmark Primary",
        phase=SchoolPhase.PRIMARY,
        school_type=SchoolType.PRIMARY,
    )
    school.key_stages = [KeyStage.KS2]
    teacher = User(email="teacher@example.org", display_name="Teacher", password_hash=None)
    teacher.memberships.append(Membership(role=Role.TEACHER, school=school))
    db.session.add_all([authority, school, teacher])
    db.session.flush()
    framework = next(r.framework for r in import_demo_frameworks() if r.framework.slug == "ks2-writing-ta")
    sample = create_sample(school, framework, SampleDetails("Y6-001", 6, 2025), teacher)
    return sample, teacher


class MemoryWatch:
    """Samples the resident memory of this process and all its descendants (the forkserver and the
    sandbox children it forks are not our children in the rusage sense, so /proc is read instead)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval, self.peak_total, self.peak_child = interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval):
            sizes = _resident_by_pid(me)
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            self.peak_child = max([self.peak_child, *(rss for pid, rss in sizes.items() if pid != me)])


def _resident_by_pid(root: int) -> dict[int, int]:
    """Resident bytes of ``root`` and every process descended from it."""
    parents, resident = {}, {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # the process ended while we looked
        pid = int(status.parent.name)
        parents[pid] = int(fields["PPid"])
        resident[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    family = {root}
    changed = True
    while changed:
        grown = family | {pid for pid, parent in parents.items() if parent in family}
        changed, family = grown != family, grown
    return {pid: resident[pid] for pid in family if pid in resident}


def main() -> None:
    print(
        f"generating a {PDF_PAGES}-page scanned PDF and {PHOTOS} photos of {PHOTO_SIZE[0] * PHOTO_SIZE[1] / 1e6:.0f} MP"
    )
    pdf = scanned_pdf()
    photos = [phone_photo(number) for number in range(PHOTOS)]
    pages = PDF_PAGES + PHOTOS
    print(f"inputs: PDF {len(pdf) / 1e6:.1f} MB, photos {sum(map(len, photos)) / 1e6:.1f} MB")

    bare_seconds = bare(pdf, photos)
    baseline = _resident_by_pid(os.getpid())[os.getpid()]
    with tempfile.TemporaryDirectory() as instance, MemoryWatch() as memory:
        pipeline_seconds, stored_pages = pipeline(pdf, photos, Path(instance))
    if stored_pages != pages:
        raise SystemExit(f"the pipeline made {stored_pages} pages, not {pages}")
    print(f"bare:     {pages} pages in {bare_seconds:.2f} s = {pages / bare_seconds:.1f} pages/s")
    print(f"pipeline: {pages} pages in {pipeline_seconds:.2f} s = {pages / pipeline_seconds:.1f} pages/s")
    print(
        f"peak memory, {pages}-page case: {memory.peak_total / MB:.0f} MB for the pipeline's processes together "
        f"(this one held {baseline / MB:.0f} MB of inputs and libraries before it started); "
        f"largest sandbox child {memory.peak_child / MB:.0f} MB (target under 500 MB)"
    )
    print(f"ingest overhead ratio: {pipeline_seconds / bare_seconds:.2f}")


if __name__ == "__main__":
    main()
