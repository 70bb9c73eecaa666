"""Turning uploaded work into page images that readers can see: the pure processing core.

Nothing here imports Flask or the database. ``inspect.inspect_file`` and ``jobs.process_file`` open
PDFs with PyMuPDF, which is not thread-safe and can crash on a malformed file, so they run only in a
child process started by ``sandbox`` (``run_isolated`` / ``iter_isolated``), never in a web thread.

- ``limits``: the configurable limits on uploads.
- ``inspect``: what an upload is, decided from its content (``formats``), or a ``RejectedFile``
  (``errors``) naming the file and the reason.
- ``render``: one page at a time, as an upright RGB image with the words of its text layer
  (``pdf`` for PDFs, ``images`` for photos and scans).
- ``derive``: redactions burned in, the display image and thumbnail, the private master.
- ``geometry`` and ``text``: boxes and words in page-relative coordinates; the searchable text
  outside the redactions; boxes proposed for a name the teacher types.
- ``jobs``: what a worker runs in the sandbox, one uploaded file (or one page's redaction) per call.
- ``sandbox``: a child process per job, with a time limit and a memory limit.
"""
