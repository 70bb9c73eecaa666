"""The engine reproduces published worked examples, to the precision they were printed with.

Each test names its source; the data sets and where we read them are in ``published.py``. Values from R
package irrCAC (Gwet's own implementation of his Handbook, 4th ed.) are the printed output in its README
and vignettes (github.com/kgwet/irrCAC: README.md, vignettes/weighting.html).
"""

import pytest

from moderation_hub.statistics import (
    Estimate,
    brennan_prediger_with_ci,
    cohen_kappa_with_ci,
    fleiss_kappa,
    fleiss_kappa_with_ci,
    gwet_ac_with_ci,
    krippendorff_alpha,
    percent_agreement_with_ci,
)
from moderation_hub.statistics.krippendorff import Level
from tests.unit.statistics.published import (
    ABSTRACTORS,
    FLEISS_1971,
    KRIPPENDORFF_2011,
    SAS_TABLE,
    SEXUAL_FUN,
    WIKIPEDIA_FLEISS_COUNTS,
    from_category_counts,
    pairs,
)


def printed(value: float | None, decimals: int) -> float:
    """``value`` as a table that prints ``decimals`` places would show it."""
    assert value is not None
    return round(value, decimals)


def test_fleiss_1971_diagnoses_kappa_is_0_430() -> None:
    """Fleiss (1971), Psychological Bulletin 76(5), p. 381: kappa = .430 for the 30 x 6 diagnoses."""
    assert printed(fleiss_kappa(FLEISS_1971), 3) == 0.430


def test_fleiss_1971_diagnoses_matches_r_irr_kappam_fleiss() -> None:
    """R irr::kappam.fleiss(diagnoses) prints Kappa = 0.4302445 (quoted in statsmodels' test_inter_rater.py)."""
    assert printed(fleiss_kappa(FLEISS_1971), 7) == 0.4302445


def test_wikipedia_fleiss_kappa_example_is_0_210() -> None:
    """Wikipedia, "Fleiss' kappa", worked example (10 subjects, 14 raters): kappa = 0.210."""
    assert printed(fleiss_kappa(from_category_counts(WIKIPEDIA_FLEISS_COUNTS)), 3) == 0.210


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_krippendorff_2011_reliability_data(level: Level, published: float) -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: alpha at four levels."""
    assert printed(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def assert_irrcac(estimate: Estimate, value: float, error: float, interval: tuple[float, float]) -> None:
    """irrCAC prints coefficients to 5 places (7 for pa), standard errors to 5 and intervals to 3."""
    assert printed(estimate.value, 5) == round(value, 5)
    assert printed(estimate.standard_error, 5) == error
    assert (printed(estimate.ci_low, 3), printed(estimate.ci_high, 3)) == interval


def test_irrcac_raw4raters_unweighted() -> None:
    """irrCAC README, cac.raw4raters: pa.coeff.raw, gwet.ac1.raw, fleiss.kappa.raw and bp.coeff.raw.

    (Conger's kappa there is 0.76282; Fleiss' kappa is 0.76117.)
    """
    assert_irrcac(percent_agreement_with_ci(KRIPPENDORFF_2011), 0.8181818, 0.12561, (0.542, 1.0))
    assert_irrcac(gwet_ac_with_ci(KRIPPENDORFF_2011), 0.77544, 0.14295, (0.461, 1.0))
    assert_irrcac(fleiss_kappa_with_ci(KRIPPENDORFF_2011), 0.76117, 0.15302, (0.424, 1.0))
    assert_irrcac(brennan_prediger_with_ci(KRIPPENDORFF_2011), 0.77273, 0.14472, (0.454, 1.0))


def test_irrcac_raw4raters_krippendorff_alpha() -> None:
    """irrCAC README: krippen.alpha.raw(cac.raw4raters) = 0.74342 (Krippendorff's nominal alpha)."""
    assert printed(krippendorff_alpha(KRIPPENDORFF_2011), 5) == 0.74342


def test_irrcac_raw4raters_quadratic_weights() -> None:
    """irrCAC vignette "Weighted Chance-corrected Agreement Coefficients", cac.raw4raters, quadratic weights.

    Gwet's quadratic-weighted alpha there (0.84911) is Krippendorff's interval alpha (0.849 above).
    """
    ac2 = gwet_ac_with_ci(KRIPPENDORFF_2011, "quadratic")
    assert (printed(ac2.value, 5), printed(ac2.standard_error, 5)) == (0.914, 0.10396)
    assert (printed(ac2.ci_low, 3), printed(ac2.ci_high, 3)) == (0.685, 1.0)
    assert_irrcac(brennan_prediger_with_ci(KRIPPENDORFF_2011, "quadratic"), 0.90152, 0.11089, (0.657, 1.0))
    assert printed(krippendorff_alpha(KRIPPENDORFF_2011, "interval"), 5) == 0.84911


def test_irrcac_distrib_6raters() -> None:
    """irrCAC README, distrib.6raters (the first 15 patients of Fleiss 1971): AC1, Fleiss, BP, alpha."""
    first_15 = FLEISS_1971[:15]
    assert printed(gwet_ac_with_ci(first_15).value, 7) == 0.4448007
    assert printed(gwet_ac_with_ci(first_15).standard_error, 8) == 0.08418757
    assert printed(fleiss_kappa_with_ci(first_15).value, 7) == 0.4139265
    assert printed(fleiss_kappa_with_ci(first_15).standard_error, 8) == 0.08119291
    assert printed(brennan_prediger_with_ci(first_15).value, 7) == 0.4388889
    assert printed(brennan_prediger_with_ci(first_15).standard_error, 8) == 0.08312142
    assert printed(krippendorff_alpha(first_15), 7) == 0.4204384


def test_irrcac_distrib_6raters_quadratic_weights() -> None:
    """irrCAC weighting vignette, distrib.6raters with quadratic.weights(1:5): AC2, BP and alpha."""
    first_15 = FLEISS_1971[:15]
    ac2 = gwet_ac_with_ci(first_15, "quadratic")
    assert (printed(ac2.value, 7), printed(ac2.standard_error, 7)) == (0.4837438, 0.1058227)
    assert (printed(ac2.ci_low, 3), printed(ac2.ci_high, 3)) == (0.257, 0.711)
    bp = brennan_prediger_with_ci(first_15, "quadratic")
    assert (printed(bp.value, 7), printed(bp.standard_error, 7)) == (0.4177778, 0.1067493)
    assert printed(krippendorff_alpha(first_15, "interval"), 6) == 0.259511


def test_sas_proc_freq_simple_and_weighted_kappa() -> None:
    """SAS PROC FREQ AGREE output for SAS_TABLE (printed in statsmodels' test_inter_rater.py).

    Simple kappa 0.4842, ASE 0.1380, 95% limits 0.2137-0.7547; weighted kappa (Cicchetti-Allison, i.e.
    linear, weights) 0.4701, ASE 0.1457, limits 0.1845-0.7558.
    """
    first, second = pairs(SAS_TABLE)
    simple = cohen_kappa_with_ci(first, second)
    assert [printed(x, 4) for x in (simple.value, simple.standard_error, simple.ci_low, simple.ci_high)] == [
        0.4842,
        0.1380,
        0.2137,
        0.7547,
    ]
    weighted = cohen_kappa_with_ci(first, second, "linear")
    assert [printed(x, 4) for x in (weighted.value, weighted.standard_error, weighted.ci_low, weighted.ci_high)] == [
        0.4701,
        0.1457,
        0.1845,
        0.7558,
    ]


def test_vcd_kappa_sexual_fun() -> None:
    """R vcd::Kappa(SexualFun), documented output with print(CI = TRUE): unweighted 0.1293 (ASE 0.06860,
    -0.00512 to 0.2638), equal-spacing weighted 0.2374 (ASE 0.07832, 0.08388 to 0.3909)."""
    husbands, wives = pairs(SEXUAL_FUN)
    simple = cohen_kappa_with_ci(husbands, wives)
    assert (printed(simple.value, 4), printed(simple.standard_error, 5)) == (0.1293, 0.06860)
    assert (printed(simple.ci_low, 5), printed(simple.ci_high, 4)) == (-0.00512, 0.2638)
    weighted = cohen_kappa_with_ci(husbands, wives, "linear")
    assert (printed(weighted.value, 4), printed(weighted.standard_error, 5)) == (0.2374, 0.07832)
    assert (printed(weighted.ci_low, 5), printed(weighted.ci_high, 4)) == (0.08388, 0.3909)


def test_irrcac_kappa2_table_abstractors() -> None:
    """irrCAC README and weighting vignette, kappa2.table(cont3x3abstractors): 0.7964094 (SE 0.05891072);
    with quadratic weights 0.8921569 (SE 0.03535151)."""
    first, second = pairs(ABSTRACTORS)
    simple = cohen_kappa_with_ci(first, second)
    assert (printed(simple.value, 7), printed(simple.standard_error, 8)) == (0.7964094, 0.05891072)
    quadratic = cohen_kappa_with_ci(first, second, "quadratic")
    assert (printed(quadratic.value, 7), printed(quadratic.standard_error, 8)) == (0.8921569, 0.03535151)
