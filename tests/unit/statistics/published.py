"""Rating data from the literature, each with where it was published and where we read it.

Tables are units x raters (None for no rating) unless said otherwise.
"""

import numpy as np
import numpy.typing as npt

# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# Communication, University of Pennsylvania (repository.upenn.edu/asc_papers/43), section C: four observers
# A-D, twelve units, values 1-5, with missing values. Transposed here to units x observers. Gwet ships the
# same table as irrCAC's ``cac.raw4raters`` (Rater1-4 = observers A-D), whose printed results we also use.
KRIPPENDORFF_2011 = [
    [1, 1, None, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [None, 5, 5, 5],
    [None, None, 1, 1],
    [None, None, 3, None],
]

# Fleiss, J. L. (1971). "Measuring nominal scale agreement among many raters", Psychological Bulletin
# 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses (1 depression, 2 personality
# disorder, 3 schizophrenia, 4 neurosis, 5 other). Fleiss printed the counts per category; this raw form is
# R package irr's ``diagnoses`` data set, as reproduced in statsmodels'
# statsmodels/stats/tests/test_inter_rater.py.
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories, as counts of raters per
# subject and category (the table statsmodels tests as ``table1``).
WIKIPEDIA_FLEISS_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Contingency tables for two raters (rows: first rater, columns: second), expanded by ``pairs`` below.
# SAS PROC FREQ output for this 3 x 3 table, printed in statsmodels' test_inter_rater.py (``table10``).
SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
# Hout, Duncan & Sobel (1987) via Agresti (1990): husbands' (rows) and wives' ratings of "sex is fun", R
# package vcd's ``SexualFun`` (read from the Rdatasets copy, csv/vcd/SexualFun.csv).
SEXUAL_FUN = [[7, 7, 2, 3], [2, 8, 3, 7], [1, 5, 4, 9], [2, 8, 9, 14]]
# Gwet's irrCAC data set ``cont3x3abstractors`` (two abstractors classifying 100 pregnancies).
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def from_category_counts(counts: list[list[int]]) -> list[list[int]]:
    """A units x raters table with the given number of raters in each category (category k is value k)."""
    return [[category for category, raters in enumerate(row) for _ in range(raters)] for row in counts]


def pairs(table: list[list[int]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The two raters' vectors behind a contingency table (category k is value k)."""
    cells = np.asarray(table)
    rows, columns = np.indices(cells.shape)
    return np.repeat(rows.ravel(), cells.ravel()), np.repeat(columns.ravel(), cells.ravel())
