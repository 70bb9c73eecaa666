"""Turning uploaded work into page images that readers can see: the pure processing core.

Nothing here imports Flask or the database. ``inspect_file`` and ``process_file`` open PDFs with
PyMuPDF, which is not thread-safe and can crash on a malformed file, so they run only in a worker
process started by ``sandbox`` (``run_isolated`` / ``iter_isolated``), never in a web thread.

- ``limits``: the configurable limits on uploads.
- ``inspect``: what an upload is, decided from its content, or a ``RejectedFile`` saying why not.
- ``render``: one page at a time, as an RGB image with the words of its text layer.
- ``derive``: redactions burned in, the display image and thumbnail, the private master.
- ``text``: searchable text outside the redactions; boxes proposed for a typed name.
- ``jobs``: the functions a worker runs in the sandbox, one uploaded file (or one page) per call.
"""
