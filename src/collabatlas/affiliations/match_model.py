"""The abstain rule of the affiliation matcher (docs/affiliations.md, "Abstaining"): the calibrated
probability that a candidate organisation is right, a logistic model of the candidate's features, and the
cut-offs applied to it. :mod:`collabatlas.affiliations.matching` computes the features and applies the rule.
"""

from __future__ import annotations

import numpy as np

# The abstain rule (docs/affiliations.md, "Abstaining"): the best candidate is kept only when its
# calibrated probability of being right, a logistic model of the features below, reaches
# DEFAULT_MIN_CONFIDENCE. Coefficients and cut-off are fitted on the S2AFF *train* split against the
# ROR subset (``python -m benchmarks.eval_affiliations --fit`` prints them); the val split is never used.
# The floor and cut-off are the ones at which the one-sided 95% lower bound of the out-of-fold precision
# (grouped 5-fold cross-validation within train) over every train string reaches 0.90: out-of-fold
# precision 0.918 (bound 0.901), covered recall 0.813 on train (floor 78, cut-off 0.70).
ABSTAIN_FEATURES = ("score", "city_in", "city_other", "name_missing", "part_extra", "acronym_in", "margin",
                    "via_acronym", "no_country", "one_word_name", "company", "name_word_missing", "part_word_extra",
                    "both_differ", "same_name", "via_span", "qualifier_extra")
ABSTAIN_MODEL = {"intercept": -1.1286, "score": 0.8046, "city_in": 0.7036, "city_other": -0.767,
                 "name_missing": -0.8075, "part_extra": -0.7276, "acronym_in": 0.4196, "margin": 1.8709,
                 "via_acronym": 0.0448, "no_country": -0.017, "one_word_name": -0.1188, "company": 0.7427,
                 "name_word_missing": -1.8415, "part_word_extra": 0.3066, "both_differ": -0.2985,
                 "same_name": 0.9956, "via_span": -0.4215, "qualifier_extra": -1.4625}
DEFAULT_MIN_CONFIDENCE = 0.7
# a further organisation of the same address (AffiliationMatch.others) needs this confidence (chosen on the
# S2AFF train split and the first half of ROR's Crossref set; docs/affiliations.md)
DEFAULT_MULTI_CONFIDENCE = 0.95
# words that, added to an organisation's name, name another organisation ("Alabama State Univ" is not the
# University of Alabama, "Kazan State Medical Univ" not Kazan Federal Univ): the type or the region
QUALIFIER_WORDS = frozenset({
    "state", "federal", "national", "city", "municipal", "provincial", "regional", "technical", "technology",
    "polytechnic", "agricultural", "normal", "pedagogical", "medical", "women", "catholic", "islamic", "christian",
    "open", "metropolitan", "international", "applied", "north", "south", "east", "west", "northern", "southern",
    "eastern", "western", "central", "upper", "lower", "new"})


# The abstain rule when the registry includes an OpenAlex institutions file (issue 29: ROR dumps plus
# OpenAlex's top-10k list): four more features, ``listed`` (the organisation is in that OpenAlex list: the
# institutions that publish most are the ones addresses name most), ``name_inside`` (the organisation's
# name is written word for word inside the matched part, "School of Computing National University of
# Singapore"), ``rarest_word`` (the inverse document frequency of the name's rarest word over the
# registry's names, 0-1: "Ito Hospital" against "Institute of Archaeology", a name many organisations bear) and
# ``works`` (log10 of the works the OpenAlex file counts for it plus one, over 7: a graded ``listed``).
# Fitted on the union registry over the S2AFF train split and the first half of ROR's Crossref set together
# (``python -m benchmarks.eval_ror_style --fit``); the cut-off is the lowest of a 0.02 grid at which the
# precision on both, as ROR's tests score it, exceeds its target by FIT_MARGIN (0.02). Refitted in the fifth
# round of issue 29 (``rarest_word`` and ``works`` added; refitted after the round's candidate rules): S2AFF
# train string precision 0.942, covered recall 0.815; Crossref first half precision 0.971 at 0.80. S2AFF val
# and the Crossref second half were not used.
ABSTAIN_FEATURES_LISTED = ABSTAIN_FEATURES + ("listed", "name_inside", "rarest_word", "works")
ABSTAIN_MODEL_LISTED = {
    "intercept": -3.0313, "score": 0.6492, "city_in": 0.5116, "city_other": -0.6337, "name_missing": -1.6734,
    "part_extra": -1.0915, "acronym_in": -0.6551, "margin": 1.2083, "via_acronym": 0.9217, "no_country": -0.2259,
    "one_word_name": 0.152, "company": 0.2126, "name_word_missing": -1.4932, "part_word_extra": -0.6647,
    "both_differ": 0.8818, "same_name": 1.1546, "via_span": -1.2435, "qualifier_extra": -0.8341, "listed": 0.5407,
    "name_inside": 1.7392, "rarest_word": 1.6882, "works": 2.703}
DEFAULT_MIN_CONFIDENCE_LISTED = 0.8


def confidence(features: dict[str, float], model: dict[str, float] | None = None) -> float:
    """P(the candidate is right) under a logistic abstain model (default :data:`ABSTAIN_MODEL`): its
    intercept plus its weight times each feature it names."""
    model = ABSTAIN_MODEL if model is None else model
    z = model["intercept"] + sum(w * features[f] for f, w in model.items() if f != "intercept")
    return float(1.0 / (1.0 + np.exp(-z)))
