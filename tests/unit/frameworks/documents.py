"""Framework files for the tests: one valid document with known line numbers, and ways to break it."""

# The comments give each line's number, so that a test's expected "line N" can be checked by eye.
VALID = """\
slug: ks2-writing
version: 1
title: KS2 writing
subject: Writing
phase: primary
key_stage: KS2
year_groups: [5, 6]
description: A framework for the tests.
standards:
  - code: WTS
    label: Working towards the expected standard
  - code: EXS
    label: Working at the expected standard
  - code: GDS
    label: Working at greater depth
groups:
  - code: AF1
    title: Purpose and audience
criteria:
  - code: EXS.1
    standard: EXS
    group: AF1
    statement: The pupil can write for a range of purposes.
  - code: GDS.1
    standard: GDS
    statement: The pupil can shift between formal and informal language.
"""
# Line numbers of VALID, for reference:
#  1 slug   2 version   3 title   4 subject   5 phase   6 key_stage   7 year_groups   8 description
#  9 standards   10-11 standards[0]   12-13 standards[1]   14-15 standards[2]
# 16 groups   17-18 groups[0]   19 criteria   20-23 criteria[0]   24-26 criteria[1]


def broken(old: str, new: str) -> str:
    """VALID with one exact piece of text replaced."""
    assert VALID.count(old) == 1, f"{old!r} must occur once in VALID"
    return VALID.replace(old, new)
