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

Prints pages per second for both; then the peak memory of the pipeline's processes while they ingest a
60-page scanned PDF (the most pages we accept in one file) in a process started for it, like a worker,
not in this one, which holds the inputs and what the runs above left; counted as the sum of each process's
proportional set size (PSS: a page shared by n processes counts 1/n in each, so pages the sandbox
children share with their forkserver count once); and, as its last line, ``ingest overhead ratio: X``
(pipeline time / bare time). Run: ``.venv/bin/python benchmarks/ingest.py``.

This file only starts the benchmark; ``ingest_work.py`` beside it does the work. Multiprocessing's
forkserver makes each sandbox child run the main script again (importing it, its ``__main__`` part
aside). A worker's script, ``flask``, is a few lines; the benchmark's was 350, and re-running it cost
each child some 6 ms that a worker's children never spend (about 0.3 s over a run's 43 children).
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    # The project's folder in place of this one at the head of the import path: benchmarks/statistics.py
    # would otherwise hide the standard library's statistics module, which PyMuPDF imports.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    from benchmarks.ingest_work import run

    run(sys.argv[1:])
