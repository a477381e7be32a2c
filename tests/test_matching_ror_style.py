"""The ROR-style scoring of benchmarks/eval_ror_style.py on a hand-made example (issue 29)."""

from __future__ import annotations

import pytest

from benchmarks.eval_ror_style import score


def test_ror_style_scoring_hand_oracle():
    countries = {"a": "JP", "b": "US", "c": "FR"}  # "x" is not in the registry
    items = [("s1", frozenset({"a"})), ("s2", frozenset({"a", "b"})), ("s3", frozenset()), ("s4", frozenset({"x"})),
             ("s5", frozenset({"c"}))]
    preds = [(("a",), "JP"), (("a",), "JP"), ((), None), (("b",), "US"), ((), "DE")]
    got = score(items, preds, countries)
    # accuracy: s1 and s3 exact (2 of 5); ids: predicted a, a, b = 3, correct 2; gold ids a, a, b, x, c = 5
    assert (got["accuracy"], got["precision"], got["recall"]) == (0.4, pytest.approx(0.6667, abs=1e-4), 0.4)
    # covered strings: s1, s2, s5 (s4's gold is outside the registry); hits s1, s2
    assert (got["covered_strings"], got["covered_recall"]) == (3, pytest.approx(0.6667, abs=1e-4))
    # strings given ids: s1, s2, s4; every predicted id gold: s1, s2
    assert got["string_precision"] == pytest.approx(0.6667, abs=1e-4)
    # country: s1 JP right, s2 JP right (JP or US), s5 DE wrong
    assert got["country_accuracy"] == pytest.approx(0.6667, abs=1e-4)
