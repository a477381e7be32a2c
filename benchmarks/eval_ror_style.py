"""ROR-style figures (issue 29): the Crossref gold set of ROR's own matcher and the S2AFF splits, with the
registry as the union of the three files of ``DATA/ror`` (ROR v2 + v1-only + the OpenAlex top-10k CSV).

    python -m benchmarks.eval_ror_style                  # also run at the end of benchmarks.eval_affiliations
    python -m benchmarks.eval_ror_style --fit            # refit the abstain rule of a registry with OpenAlex

Scoring as ROR's tests score it (ror-api ``rorapi/tests/tests_functional``), per string, with the predicted
set = every organisation ``match`` returns (``AffiliationMatch.ror_ids``):

- accuracy: the share of strings whose predicted set equals the gold set (both empty counts);
- precision: correct ids / predicted ids; recall: correct ids / gold ids;
- covered recall: over strings with a gold id in the loaded registry, the share with a predicted id in
  the gold set (a hit per string);
- string precision: over strings given an id, the share whose every predicted id is gold (S2AFF's rule);
- country accuracy: over strings whose gold ids are in the registry, the first predicted country (the
  address rules' when nothing is matched) is a country of a gold id.

"previous" is the same matcher returning one organisation per string (multi_confidence above 1), the rule
before issue 29. The Crossref set is split in two halves in file order: only the first half was looked
at and used to choose anything (the multi-organisation cut-off); the second half is reported untouched.
"""

from __future__ import annotations

import argparse
import ast
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from collabatlas.affiliations.address_country import resolve_country
from collabatlas.affiliations.match_model import ABSTAIN_FEATURES_LISTED
from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.affiliations.ror import load_ror, short_ror
from collabatlas.store import schema as store

UNION_FILES = ("ror_v2_latest_records.jsonl.gz", "ror_v1_only_latest_records.jsonl.gz",
               "openalex_institutions_top10k_2025-01.csv.gz")
CROSSREF = "ror_api_gold_crossref_2024_02_19.json"
TRAIN_SETS = ("s2aff_train", "crossref_first_half")  # the only sets the fit reads
FIT_MARGIN = 0.02  # --fit: the in-sample train precision must exceed its target by this much (docs/affiliations.md)
TARGETS = {"crossref": {"accuracy": 0.73, "precision": 0.95, "recall": 0.70},
           "s2aff": {"string_precision": 0.90, "covered_recall": 0.80}}


def union_store(data_dir: Path):
    con = store.connect(None)
    load_ror(con, [data_dir / "ror" / f for f in UNION_FILES], reattribute_addresses=False)
    return con


def gold_sets(data_dir: Path) -> dict[str, list[tuple[str, frozenset]]]:
    crossref = json.loads((data_dir / "affiliations" / CROSSREF).read_text(encoding="utf-8"))
    items = [(it["affiliation"], frozenset(short_ror(x) for x in it["ror_ids"])) for it in crossref]
    half = len(items) // 2
    s2 = pd.read_csv(data_dir / "affiliations" / "s2aff_gold_train_val.csv", dtype=str, keep_default_na=False)
    out = {"crossref_first_half": items[:half], "crossref_second_half": items[half:]}
    for split in ("train", "val"):
        rows = s2[s2["split"] == split]
        out[f"s2aff_{split}"] = [(t, frozenset(short_ror(x) for x in ast.literal_eval(labels)))
                                 for t, labels in zip(rows["original_affiliation"], rows["labels"], strict=True)]
    return out


def score(items: list[tuple[str, frozenset]], preds: list[tuple[tuple[str, ...], str | None]],
          countries: dict[str, str]) -> dict:
    """The figures of the module docstring; ``preds``: (predicted ids, first predicted country) per string."""
    acc = tp = n_pred = n_gold = strings_pred = strings_right = covered = covered_hit = 0
    c_n = c_right = 0
    for (_, gold), (ids, country) in zip(items, preds, strict=True):
        predicted = set(ids)
        acc += predicted == set(gold)
        tp += len(predicted & gold)
        n_pred += len(predicted)
        n_gold += len(gold)
        if predicted:
            strings_pred += 1
            strings_right += predicted <= gold
        in_registry = {g for g in gold if g in countries}
        if in_registry:
            covered += 1
            covered_hit += bool(predicted & gold)
            c_n += 1
            c_right += country in {countries[g] for g in in_registry}
    return {"strings": len(items), "accuracy": round(acc / len(items), 4),
            "precision": round(tp / n_pred, 4) if n_pred else 0.0, "recall": round(tp / n_gold, 4) if n_gold else 0.0,
            "covered_strings": covered, "covered_recall": round(covered_hit / covered, 4) if covered else 0.0,
            "string_precision": round(strings_right / strings_pred, 4) if strings_pred else 0.0,
            "country_accuracy": round(c_right / c_n, 4) if c_n else 0.0}


def predictions(matcher: AffiliationMatcher, texts: list[str]) -> list[tuple[tuple[str, ...], str | None]]:
    out = []
    for text in texts:
        m = matcher.match(text)
        out.append((m.ror_ids, m.country_code if m.ror_id else resolve_country(text)))
    return out


def evaluate(data_dir: Path, con=None) -> dict:
    con = con or union_store(data_dir)
    countries = dict(con.execute("SELECT ror_id, country_code FROM ror_institutions").fetchall())
    sets = gold_sets(data_dir)
    result = {"registry_organisations": len(countries), "registry_files": list(UNION_FILES), "targets": TARGETS}
    now = AffiliationMatcher.from_store(con)
    previous = AffiliationMatcher.from_store(con, multi_confidence=1.01)
    result["multi_confidence"] = now.multi_confidence
    for name, items in sets.items():
        texts = [t for t, _ in items]
        started = time.perf_counter()
        preds = predictions(now, texts)
        seconds = time.perf_counter() - started
        result[name] = {"now": score(items, preds, countries),
                        "previous": score(items, predictions(previous, texts), countries),
                        "addresses_per_second": round(len(texts) / max(seconds, 1e-9))}
    return result


def summary(result: dict) -> str:
    figures = ("accuracy", "precision", "recall", "covered_recall", "string_precision", "country_accuracy")
    lines = [f"ROR-style figures, registry = union of {', '.join(result['registry_files'])} "
             f"({result['registry_organisations']:,} organisations); multi-organisation cut-off "
             f"{result['multi_confidence']:g}; previous = one organisation per string",
             f"{'set':22} {'rule':8} " + " ".join(f"{f:>16}" for f in figures) + "  addresses/s"]
    for name in ("crossref_first_half", "crossref_second_half", "s2aff_train", "s2aff_val"):
        for rule in ("previous", "now"):
            row = result[name][rule]
            speed = f"{result[name]['addresses_per_second']:>12,}" if rule == "now" else ""
            lines.append(f"{name:22} {rule:8} " + " ".join(f"{row[f]:16.3f}" for f in figures) + speed)
    lines.append("targets: Crossref accuracy >= 0.73, precision >= 0.95, recall >= 0.70; S2AFF string precision "
                 ">= 0.90, covered recall >= 0.80 (the Crossref first half was used to choose the cut-off; the "
                 "second half is untouched)")
    return "\n".join(lines)


def fit(data_dir: Path, con=None) -> dict:
    """The abstain rule of a registry with an OpenAlex institutions file (``ABSTAIN_MODEL_LISTED``): a
    logistic model of :data:`ABSTAIN_FEATURES_LISTED` (label: the candidate is a gold id) over the candidates
    of both train sets together, and the lowest cut-off of a 0.02 grid at which the precision of both, as
    :func:`score` counts it, exceeds its target by :data:`FIT_MARGIN`. The held-out sets are never read."""
    from benchmarks.eval_affiliations import _fit_logistic

    con = con or union_store(data_dir)
    countries = dict(con.execute("SELECT ror_id, country_code FROM ror_institutions").fetchall())
    sets = {name: items for name, items in gold_sets(data_dir).items() if name in TRAIN_SETS}
    matcher = AffiliationMatcher.from_store(con, min_confidence=0.0)
    rows = [(c, gold) for items in sets.values() for c, gold in ((matcher.candidate(t), g) for t, g in items)
            if c is not None]
    x = np.array([[c.features[f] for f in ABSTAIN_FEATURES_LISTED] for c, _ in rows])
    y = np.array([c.ror_id in gold for c, gold in rows], dtype=float)
    w = _fit_logistic(x, y)
    model = {"intercept": round(float(w[0]), 4)} | {f: round(float(v), 4) for f, v in
                                                     zip(ABSTAIN_FEATURES_LISTED, w[1:], strict=True)}
    need = {"s2aff_train": TARGETS["s2aff"]["string_precision"] + FIT_MARGIN,
            "crossref_first_half": TARGETS["crossref"]["precision"] + FIT_MARGIN}
    for cut in np.round(np.arange(0.5, 0.96, 0.02), 2):
        matcher = AffiliationMatcher.from_store(con, min_confidence=float(cut))
        matcher.model = model
        figures = {name: score(items, predictions(matcher, [t for t, _ in items]), countries)
                   for name, items in sets.items()}
        got = {"s2aff_train": figures["s2aff_train"]["string_precision"],
               "crossref_first_half": figures["crossref_first_half"]["precision"]}
        if all(got[name] >= need[name] for name in need):
            return {"model": model, "min_confidence": float(cut), "train": figures}
    return {"model": model, "min_confidence": None}


def main() -> None:
    from benchmarks.eval_affiliations import default_data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the abstain rule of a registry with OpenAlex")
    args = parser.parse_args()
    if args.fit:
        print(json.dumps(fit(default_data_dir()), indent=2))
        return
    result = evaluate(default_data_dir())
    Path("eval_ror_style.json").write_text(json.dumps(result, indent=2))
    print(summary(result))


if __name__ == "__main__":
    main()
