"""Ingestion throughput: the real pipeline against the bare library work on the same inputs.

Generates a 30-page scanned-style PDF (image pages at 200 dpi, no text layer) and 20 phone photos of
12 megapixels, then:

- bare: PyMuPDF renders each PDF page, Pillow decodes each photo (drafted, as JPEG allows), and both
  resize and encode the display image and thumbnail, in a plain loop in this process. It resizes with
  the pipeline's filter (Lanczos) and encodes with its settings, so it makes the same display images
  and thumbnails as the pipeline, pixel for pixel (checked after the run);
- pipeline: each file through ``accept_upload`` (checked in the sandbox, stored) and the worker's job
  (rendered in the sandbox, master + display + thumbnail stored, pages committed), on SQLite and local
  storage in a temporary instance folder. Its sandbox is started before the clock starts, as the bare
  loop's libraries are imported before its clock starts: a worker process starts its sandbox once in
  its life. That start-up is printed on a line of its own.

Each side runs five times, in pairs run back to back (bare, then pipeline), and the ratio is the median
of the five pairs' ratios (every pair is printed). The machine's speed drifts by as much as a fifth within
a run (other work on the host): the two runs of a pair meet the same drift, where the fastest run of each
side may come from different moments, so a ratio of fastest runs moved by ±0.1 between runs of the script.
Prints pages per second for both; then
the peak memory of the pipeline's processes while they ingest a 60-page scanned PDF (the most pages we
accept in one file) in a process started for it, like a worker, not in this one, which holds the inputs
and what the runs above left; counted as the sum of each process's proportional set size (PSS: a page
shared by n processes counts 1/n in each, so pages the sandbox children share with their forkserver
count once); and, as its last line, ``ingest overhead ratio: X`` (pipeline time / bare time).
Run: ``.venv/bin/python benchmarks/ingest.py``.
"""

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Import from the project, not from beside this script: benchmarks/statistics.py would stand in for the
# standard library's statistics module, which PyMuPDF imports.
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from statistics import median

import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageOps

from moderation_hub import create_app
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.db import Base, db
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.ingestion.sandbox import run_isolated
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.samples.models import Page
from moderation_hub.samples.services import SampleDetails, create_sample
from moderation_hub.samples.uploads import accept_upload
from moderation_hub.storage import storage

PDF_PAGES = 30
MEMORY_CASE_PAGES = 60  # UPLOAD_MAX_PDF_PAGES
PHOTOS = 20
PHOTO_SIZE = (4000, 3000)  # 12 megapixels
DISPLAY_LONG_EDGE, THUMBNAIL_LONG_EDGE = 1600, 240
MB = 1024 * 1024
MEMORY_CASE = "--memory-case"
PAIRS = 5


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


def scanned_pdf(scans: list[bytes], page_count: int) -> bytes:
    """``page_count`` pages, each with a picture of its own (the scans again, with a comment of their
    own, past the last one), as a scanner makes them: no page shares a picture with another."""
    document = pymupdf.open()
    for number in range(page_count):
        scan = scans[number % len(scans)]
        if number >= len(scans):
            comment = f"page {number + 1}".encode()
            scan = scan[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + scan[2:]
        page = document.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=scan)
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
            bare_pdf_page(page)
    for data in photos:
        bare_photo(data)
    return time.perf_counter() - started


def bare_pdf_page(page: pymupdf.Page) -> tuple[bytes, bytes]:
    zoom = DISPLAY_LONG_EDGE / max(page.rect.width, page.rect.height)
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
    return encode(Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples))


def bare_photo(data: bytes) -> tuple[bytes, bytes]:
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (image.width // 2, image.height // 2))
    return encode(ImageOps.exif_transpose(resize(image, DISPLAY_LONG_EDGE, reducing_gap=3.0)))


def encode(display: Image.Image) -> tuple[bytes, bytes]:
    """The display image and the thumbnail, as JPEGs."""
    display_jpeg, thumbnail_jpeg = io.BytesIO(), io.BytesIO()
    display.save(display_jpeg, "JPEG", quality=85)
    resize(display, THUMBNAIL_LONG_EDGE, reducing_gap=2.0).save(thumbnail_jpeg, "JPEG", quality=80)
    return display_jpeg.getvalue(), thumbnail_jpeg.getvalue()


def resize(image: Image.Image, long_edge: int, reducing_gap: float) -> Image.Image:
    """Lanczos, as the pipeline (``Image.thumbnail`` would use the cheaper bicubic filter)."""
    scale = long_edge / max(image.size)
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)


class PipelineRun:
    """The pipeline's timing and what it stored for the first page of the PDF and the first photo."""

    def __init__(self) -> None:
        self.seconds = self.start_up_seconds = 0.0
        self.page_count = 0
        self.first_pages: list[tuple[bytes, bytes]] = []


def pipeline(pdf: bytes, photos: list[bytes], instance: Path) -> PipelineRun:
    app = create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": "benchmark",
            "INSTANCE_PATH": str(instance),
            "JOB_IMMEDIATE": True,
            "LOG_LEVEL": "WARNING",
        }
    )
    run = PipelineRun()
    with app.app_context():
        Base.metadata.create_all(db.engine)
        with db.transaction():
            sample, teacher = arrange()
        started = time.perf_counter()
        run_isolated(abs, 0, timeout_seconds=60, memory_bytes=64 * MB)  # start the sandbox (once per process)
        run.start_up_seconds = time.perf_counter() - started
        files = [("scan.pdf", pdf)] if pdf else []
        files += [(f"photo{n}.jpg", photo) for n, photo in enumerate(photos)]
        started = time.perf_counter()
        for name, data in files:
            with db.transaction():  # commits, then the job runs at once (JOB_IMMEDIATE) as a worker would
                accept_upload(db.session.merge(sample), name, data, db.session.merge(teacher))
        run.seconds = time.perf_counter() - started
        sample = db.session.merge(sample)
        run.page_count = len(sample.pages)
        firsts = [page for page in sample.pages if page.index_in_file == 0][:2]
        run.first_pages = [_stored_images(page) for page in firsts]
    return run


def _stored_images(page: Page) -> tuple[bytes, bytes]:
    return storage().get(page.display_key), storage().get(page.thumbnail_key)


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


def same_pixels(bare_jpegs: tuple[bytes, bytes], pipeline_jpegs: tuple[bytes, bytes]) -> bool:
    for ours, theirs in zip(bare_jpegs, pipeline_jpegs, strict=True):
        ours_image, theirs_image = Image.open(io.BytesIO(ours)), Image.open(io.BytesIO(theirs))
        if ours_image.size != theirs_image.size or ImageChops.difference(ours_image, theirs_image).getbbox():
            return False
    return True


class MemoryWatch:
    """Samples the memory of this process and all its descendants (the forkserver and the sandbox
    children it forks are not our children in the rusage sense, so /proc is read instead).

    ``peak_total`` is the largest sum of PSS over the processes; ``peak_child`` the largest PSS of one
    process other than this one; ``peak_rss_total`` the largest sum of RSS, which counts each page the
    children share with the forkserver once per process."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_total = self.peak_child = self.peak_rss_total = 0
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
            sizes = _memory_by_pid(me)
            self.peak_total = max(self.peak_total, sum(pss for pss, _ in sizes.values()))
            self.peak_rss_total = max(self.peak_rss_total, sum(rss for _, rss in sizes.values()))
            self.peak_child = max([self.peak_child, *(pss for pid, (pss, _) in sizes.items() if pid != me)])


def _memory_by_pid(root: int) -> dict[int, tuple[int, int]]:
    """(PSS, RSS) in bytes of ``root`` and every process descended from it."""
    parents = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # the process ended while we looked
        parents[int(status.parent.name)] = int(fields["PPid"])
    family = {root}
    changed = True
    while changed:
        grown = family | {pid for pid, parent in parents.items() if parent in family}
        changed, family = grown != family, grown
    sizes = {}
    for pid in family:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in rollup.splitlines()[1:] if ":" in line)
        sizes[pid] = (_kilobytes(fields.get("Pss", "0 kB")), _kilobytes(fields.get("Rss", "0 kB")))
    return sizes


def _kilobytes(field: str) -> int:
    return int(field.split(maxsplit=1)[0]) * 1024


def main() -> None:
    print(
        f"generating a {PDF_PAGES}-page scanned PDF, {PHOTOS} photos of "
        f"{PHOTO_SIZE[0] * PHOTO_SIZE[1] / 1e6:.0f} MP and a {MEMORY_CASE_PAGES}-page scanned PDF"
    )
    scans = [scanned_page(number) for number in range(PDF_PAGES)]
    pdf = scanned_pdf(scans, PDF_PAGES)
    photos = [phone_photo(number) for number in range(PHOTOS)]
    long_pdf = scanned_pdf(scans, MEMORY_CASE_PAGES)
    del scans
    pages = PDF_PAGES + PHOTOS
    print(
        f"inputs: PDF {len(pdf) / 1e6:.1f} MB, photos {sum(map(len, photos)) / 1e6:.1f} MB, "
        f"{MEMORY_CASE_PAGES}-page PDF {len(long_pdf) / 1e6:.1f} MB"
    )

    pairs: list[tuple[float, PipelineRun]] = []
    for _ in range(PAIRS):
        bare_seconds = bare(pdf, photos)
        with tempfile.TemporaryDirectory() as instance:
            pairs.append((bare_seconds, pipeline(pdf, photos, Path(instance))))
    runs = [run for _, run in pairs]
    if any(run.page_count != pages for run in runs):
        raise SystemExit(f"the pipeline made {[run.page_count for run in runs]} pages, not {pages}")
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        bare_firsts = [bare_pdf_page(document[0]), bare_photo(photos[0])]
    if not all(map(same_pixels, bare_firsts, runs[0].first_pages)):
        raise SystemExit("the bare loop no longer makes the pipeline's display images and thumbnails")
    ratios = [run.seconds / b for b, run in pairs]
    print("pairs (s): " + "; ".join(f"bare {b:.2f}, pipeline {run.seconds:.2f}" for b, run in pairs))
    print("their ratios: " + ", ".join(f"{ratio:.2f}" for ratio in ratios))
    bare_seconds = median(b for b, _ in pairs)
    pipeline_seconds = median(run.seconds for run in runs)
    start_up_seconds = runs[0].start_up_seconds  # later runs find the sandbox running
    print(f"bare:     {pages} pages in {bare_seconds:.2f} s (median) = {pages / bare_seconds:.1f} pages/s")
    print(f"pipeline: {pages} pages in {pipeline_seconds:.2f} s (median) = {pages / pipeline_seconds:.1f} pages/s")
    print(f"sandbox start-up, once per process (not in the pipeline's time): {start_up_seconds:.2f} s")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as upload:
        upload.write(long_pdf)
        upload.flush()
        # In a process of its own, holding what a worker holds rather than this one's inputs and leftovers.
        subprocess.run([sys.executable, __file__, MEMORY_CASE, upload.name], check=True)  # noqa: S603 - our script
    print(f"with the sandbox start-up counted: {(start_up_seconds + pipeline_seconds) / bare_seconds:.2f}")
    print(f"ingest overhead ratio: {median(ratios):.2f}")


def memory_case(path: Path) -> None:
    """Ingest one long PDF in this fresh process and print the peak memory of it and its descendants."""
    with tempfile.TemporaryDirectory() as instance, MemoryWatch() as memory:
        baseline = _memory_by_pid(os.getpid())[os.getpid()][0]
        run = pipeline(path.read_bytes(), [], Path(instance))
    if run.page_count != MEMORY_CASE_PAGES:
        raise SystemExit(f"the pipeline made {run.page_count} pages, not {MEMORY_CASE_PAGES}")
    print(
        f"peak memory, {MEMORY_CASE_PAGES}-page case: {memory.peak_total / MB:.0f} MB PSS for the pipeline's "
        f"processes together (target under 500 MB); the worker-like process held {baseline / MB:.0f} MB of "
        f"libraries before it started; largest sandbox process {memory.peak_child / MB:.0f} MB; "
        f"{memory.peak_rss_total / MB:.0f} MB if pages shared between processes counted in each (RSS); "
        f"{MEMORY_CASE_PAGES} pages in {run.seconds:.2f} s",
        flush=True,
    )


def run(arguments: list[str]) -> None:
    if arguments[:1] == [MEMORY_CASE]:
        memory_case(Path(arguments[1]))
    else:
        main()


if __name__ == "__main__":
    run(sys.argv[1:])
