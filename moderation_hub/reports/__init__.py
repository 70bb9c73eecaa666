"""Agreement reports: a round's for its lead, a school's for its assessment lead, a moderator's own, and an
authority's overview across rounds and years, each as a page with charts, CSV, XLSX and (a round's) PDF.

``data`` turns rounds into the statistics engine's ``RoundRatings``; ``services`` turns the engine's
figures into ``tables.Table`` objects, which the page, the charts, the downloads and the PDF all draw from,
so every format shows the same numbers; ``cache`` keeps the computed tables and the drawn charts in the
database (``models.ReportFigures``) for every app process, under the version of the data they read;
``explanations`` holds the plain-English texts.
"""
