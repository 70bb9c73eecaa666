"""Prepared downloads: files too heavy to build while someone waits for a page (a round's report with charts, its
judgements as a spreadsheet) are built by the worker, with progress, stored, and served from storage to the person
who asked while they may still read them. ``kinds`` is the registry of what can be prepared."""
