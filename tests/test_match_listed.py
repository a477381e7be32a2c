"""The abstain rule of a registry that includes an OpenAlex institutions file (issue 29): the organisations
that file lists, the ``listed`` and ``name_inside`` features, and the model chosen by what is loaded."""

from __future__ import annotations

import gzip
import math

import pytest

from collabatlas.affiliations.match_model import (
    ABSTAIN_MODEL,
    ABSTAIN_MODEL_LISTED,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_CONFIDENCE_LISTED,
    confidence,
)
from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.affiliations.ror import load_ror
from collabatlas.affiliations.ror_lookup import listed_in_openalex
from collabatlas.store import schema as store
from tests.test_ror import ISSP, TOKYO, jsonl
from tests.test_ror_union import OPENALEX_CSV

ORGS = [
    ("0aaaaaa01", "Northfield State University", ["education"], "US", "Northfield", "active"),
    ("0aaaaaa02", "Lakeside Institute of Marine Biology", ["facility"], "US", "Lakeside", "active"),
]
NAMES = [(rid, name, "ror_display") for rid, name, *_ in ORGS]


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_listed_are_the_ids_an_openalex_file_holds(tmp_path):
    ror = tmp_path / "ror.jsonl.gz"
    ror.write_bytes(gzip.compress(jsonl([TOKYO, ISSP]).encode()))
    flat = tmp_path / "openalex.csv"
    flat.write_text(OPENALEX_CSV)
    con = store.connect(None)
    load_ror(con, [ror])
    assert listed_in_openalex(con) == []  # ROR files only
    load_ror(con, [ror, flat])
    # Tokyo is in both files (the ROR record kept), Kyoto Sangyo only in the CSV; ISSP only in ROR
    assert listed_in_openalex(con) == ["03wgz3y75", "057zh3y96"]
    assert AffiliationMatcher.from_store(con).model is ABSTAIN_MODEL_LISTED


def test_the_model_follows_what_is_loaded():
    plain = AffiliationMatcher(ORGS, NAMES)
    assert (plain.model, plain.min_confidence) == (ABSTAIN_MODEL, DEFAULT_MIN_CONFIDENCE)
    listed = AffiliationMatcher(ORGS, NAMES, listed=["0aaaaaa01"])
    assert (listed.model, listed.min_confidence) == (ABSTAIN_MODEL_LISTED, DEFAULT_MIN_CONFIDENCE_LISTED)
    assert AffiliationMatcher(ORGS, NAMES, listed=["0aaaaaa01"], min_confidence=0.5).min_confidence == 0.5


def test_listed_feature_and_its_weight():
    m = AffiliationMatcher(ORGS, NAMES, listed=["0aaaaaa01"], min_confidence=0.0)
    one = m.candidate("Northfield State University, Northfield, MN, USA")
    other = m.candidate("Lakeside Institute of Marine Biology, Lakeside, MI, USA")
    assert (one.features["listed"], other.features["listed"]) == (1.0, 0.0)
    # the same features but ``listed``: the confidences differ by the weight, on the logit scale
    flipped = dict(other.features, listed=1.0)
    gain = _logit(confidence(flipped, ABSTAIN_MODEL_LISTED)) - _logit(confidence(other.features, ABSTAIN_MODEL_LISTED))
    assert gain == pytest.approx(ABSTAIN_MODEL_LISTED["listed"], abs=1e-9)


def test_name_inside_a_longer_part():
    """No commas between the unit and the university: the fuzzy score of the whole part reaches the floor,
    and the name is also written word for word inside it (``name_inside``); a part that is the name is not
    'inside', nor a part whose words only resemble it."""
    m = AffiliationMatcher(ORGS, NAMES, min_confidence=0.0)
    inside = m.candidate("School of Nursing Northfield State University, Northfield, MN, USA")
    assert inside.ror_id == "0aaaaaa01" and inside.features["name_inside"] == 1.0
    assert inside.features["same_name"] == 0.0
    same = m.candidate("Northfield State University, Northfield, MN, USA")
    assert same.features["name_inside"] == 0.0 and same.features["same_name"] == 1.0
    near = m.candidate("Northfield University of the State, Northfield, MN, USA")
    assert near is None or near.features["name_inside"] == 0.0


def test_a_name_inside_raises_the_confidence_of_the_listed_rule():
    """Unit words before the name: the name written inside the part counts for the candidate (by the
    feature's weight on the logit scale); the rule for ROR alone does not read the feature."""
    address = "Department of Coastal Ecology Lakeside Institute of Marine Biology, Lakeside, MI, USA"
    # an organisation the OpenAlex file lists comes with its works count
    listed = AffiliationMatcher(ORGS, NAMES, listed=["0aaaaaa02"], works={"0aaaaaa02": 5_000})
    cand = listed.candidate(address)
    assert cand.features["name_inside"] == 1.0
    without = dict(cand.features, name_inside=0.0)
    gain = _logit(confidence(cand.features, ABSTAIN_MODEL_LISTED)) - _logit(confidence(without, ABSTAIN_MODEL_LISTED))
    assert gain == pytest.approx(ABSTAIN_MODEL_LISTED["name_inside"], abs=1e-9) and gain > 0
    assert confidence(cand.features, ABSTAIN_MODEL) == confidence(without, ABSTAIN_MODEL)
    assert listed.match(address).ror_id == "0aaaaaa02"


def test_rarest_word_separates_a_distinctive_name_from_common_words():
    """``rarest_word``: the inverse document frequency of the name's rarest word over that of a word no name
    holds (hand-computed on a registry of 4 names: ``klabat`` is in 1, ``institute`` in 3, ``archaeology``
    in 2); it raises the confidence of the listed rule by its weight and is not read by the ROR-only rule."""
    orgs = [("0ccccc001", "Klabat Institute", ["education"], "ID", "Airmadidi", "active"),
            ("0ccccc002", "Institute of Archaeology", ["facility"], "ID", "Jakarta", "active"),
            ("0ccccc003", "Institute of Archaeology", ["facility"], "PL", "Warsaw", "active"),
            ("0ccccc004", "Institute of Physics", ["facility"], "PL", "Warsaw", "active")]
    m = AffiliationMatcher(orgs, [(rid, name, "ror_display") for rid, name, *_ in orgs], min_confidence=0.0)
    rare = m.candidate("Klabat Institute, Airmadidi, Indonesia")
    common = m.candidate("Institute of Physics, Warsaw, Poland")
    unknown = math.log(4 + 1)  # a word no name holds
    assert rare.features["rarest_word"] == pytest.approx(math.log(4 / 1) / unknown)
    assert common.features["rarest_word"] == pytest.approx(math.log(4 / 1) / unknown)  # "physics": one name
    archaeology = m.candidate("Institute of Archaeology, Jakarta, Indonesia")
    assert archaeology.features["rarest_word"] == pytest.approx(math.log(4 / 2) / unknown)
    lower = dict(rare.features, rarest_word=archaeology.features["rarest_word"])
    gain = _logit(confidence(rare.features, ABSTAIN_MODEL_LISTED)) - _logit(confidence(lower, ABSTAIN_MODEL_LISTED))
    assert gain == pytest.approx(ABSTAIN_MODEL_LISTED["rarest_word"] * (math.log(4) - math.log(2)) / unknown)
    assert gain > 0 and confidence(rare.features, ABSTAIN_MODEL) == confidence(lower, ABSTAIN_MODEL)


def test_works_feature_is_the_log_of_the_works_counted():
    """``works``: log10(works the OpenAlex file counts + 1) / 7, capped at 1 (0 for an organisation it does not
    count); the listed rule reads it by its weight, the ROR-only rule not at all."""
    m = AffiliationMatcher(ORGS, NAMES, listed=["0aaaaaa01"], works={"0aaaaaa01": 9_999, "0aaaaaa02": 10**9},
                           min_confidence=0.0)
    one = m.candidate("Northfield State University, Northfield, MN, USA")
    other = m.candidate("Lakeside Institute of Marine Biology, Lakeside, MI, USA")
    assert one.features["works"] == pytest.approx(4 / 7) and other.features["works"] == 1.0
    assert AffiliationMatcher(ORGS, NAMES, min_confidence=0.0).candidate(
        "Northfield State University, Northfield, MN, USA").features["works"] == 0.0
    fewer = dict(one.features, works=0.0)
    gain = _logit(confidence(one.features, ABSTAIN_MODEL_LISTED)) - _logit(confidence(fewer, ABSTAIN_MODEL_LISTED))
    assert gain == pytest.approx(ABSTAIN_MODEL_LISTED["works"] * 4 / 7) and gain > 0
    assert confidence(one.features, ABSTAIN_MODEL) == confidence(fewer, ABSTAIN_MODEL)


def test_cli_match_uses_the_rule_of_what_is_loaded(tmp_path, monkeypatch):
    """``collabatlas match`` without --min-confidence leaves the cut-off to the matcher (0.80 with an
    OpenAlex file in the registry, 0.70 without); --min-confidence still sets it."""
    from typer.testing import CliRunner

    from collabatlas.views.cli import app
    from collabatlas.views.commands import affiliations as command

    ror = tmp_path / "ror.jsonl.gz"
    ror.write_bytes(gzip.compress(jsonl([TOKYO, ISSP]).encode()))
    flat = tmp_path / "openalex.csv"
    flat.write_text(OPENALEX_CSV)
    built = []
    original = command.AffiliationMatcher.from_store

    def spy(con, **kwargs):
        built.append(original(con, **kwargs))
        return built[-1]

    monkeypatch.setattr(command.AffiliationMatcher, "from_store", spy)
    runner = CliRunner()
    for files, extra, cut in (([ror, flat], [], DEFAULT_MIN_CONFIDENCE_LISTED), ([ror], [], DEFAULT_MIN_CONFIDENCE),
                              ([ror, flat], ["--min-confidence", "0.5"], 0.5)):
        args = ["match", "University of Tokyo, Tokyo, Japan", "--format", "csv", *extra]
        for f in files:
            args += ["--ror", str(f)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert built[-1].min_confidence == cut
