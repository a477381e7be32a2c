"""Affiliation matching quality on the S2AFF gold set, and matching speed.

    python -m benchmarks.eval_affiliations                       # train and val figures, speed
    python -m benchmarks.eval_affiliations --out eval.json --speed 100000
    python -m benchmarks.eval_affiliations --fit                 # refit the abstain rule on train

Data: ``DATA/affiliations/s2aff_gold_train_val.csv`` (1,720 raw affiliation strings with hand-checked
gold ROR id sets, split train/val) and the ROR subset in ``DATA/ror`` (v2 + v1-only JSON Lines:
51,370 organisations, about 40% of ROR), loaded into an in-memory store.

How the figures are made (one ROR prediction per string):

- precision: of the strings given a ROR id, the share whose id is one of the gold ids;
- recall: of the strings, the share given a correct ROR id (``recall_rows``); and of all gold ids, the
  share predicted (``recall_ids``; capped below 1 because a string with two gold ids gets one
  prediction);
- F1 from precision and ``recall_rows``;
- "overall": every string, gold ids as given (gold ids missing from the registry cannot be found);
  "covered": strings with at least one gold id in the registry, gold restricted to those ids;
- country accuracy: the gold country is the registry country of the gold ids (strings whose gold
  ids are all missing from the registry are left out; a string whose gold ids lie in several
  countries counts as right for any of them); the predicted country is the matched organisation's
  country, else the address-rule country (``None`` counts as wrong). Baselines: the address rules
  alone, and the most common gold country for every string;
- the matcher runs with its shipped settings: the score floor ``DEFAULT_THRESHOLD`` and the abstain
  rule (``ABSTAIN_MODEL``, ``DEFAULT_MIN_CONFIDENCE``), all fitted on train by ``--fit``: for each floor
  of a grid, a logistic model of the candidate features (label: the candidate is one of the gold ids,
  over every train string) and the cut-off with the highest covered recall whose overall precision on
  train reaches ``--target``; the floor with the highest such recall wins. Val is never used to fit;
- "previous" is the rule before the abstain model (fuzzy score ≥ 86 only), measured at commit ccd822f
  (:data:`PREVIOUS`); ``score_only`` re-runs that rule (min_confidence 0, threshold 86) on today's code.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from collabatlas import settings as config
from collabatlas.affiliations.address_country import resolve_country
from collabatlas.affiliations.matching import (
    ABSTAIN_FEATURES,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD,
    AffiliationMatcher,
    confidence,
)
from collabatlas.affiliations.normalisation import normalise_name
from collabatlas.affiliations.ror import load_ror, short_ror
from collabatlas.store import schema as store

ROR_FILES = ("ror_v2_latest_records.jsonl.gz", "ror_v1_only_latest_records.jsonl.gz")
REPO = Path(__file__).resolve().parents[1]
PREVIOUS_THRESHOLD = 86.0
FIT_TARGET = 0.90  # --fit: the 95% lower bound of the out-of-fold precision over every train string reaches it
# the figures of the score-threshold rule before the abstain model (commit ccd822f, threshold 86 tuned
# on train), as this script measured them then
PREVIOUS = {"commit": "ccd822f", "threshold": 86.0,
            "train": {"overall": {"precision": 0.8153, "recall_rows": 0.6396},
                      "covered": {"precision": 0.9211, "recall_rows": 0.8172}},
            "val": {"overall": {"precision": 0.781, "recall_rows": 0.6003},
                    "covered": {"precision": 0.9028, "recall_rows": 0.8023}},
            "speed_per_cpu_second": 1121}

# the first abstain rule (issue 15, commit 9d75d45: floor 75, cut-off 0.74 fitted in-sample on train)
ABSTAIN_V1 = {"commit": "9d75d45", "threshold": 75.0, "min_confidence": 0.74,
              "train": {"overall": {"precision": 0.9131, "recall_rows": 0.5769},
                        "covered": {"precision": 0.9589, "recall_rows": 0.7370}},
              "val": {"overall": {"precision": 0.8983, "recall_rows": 0.5408},
                      "covered": {"precision": 0.9578, "recall_rows": 0.7227}}}
# the second abstain rule (commit 692950a: floor 86, cut-off 0.81, fitted by grouped cross-validation on
# train), as this script measured it on 2026-12-02 before the span candidates and the features after it
ABSTAIN_V2 = {"commit": "692950a", "threshold": 86.0, "min_confidence": 0.81,
              "train": {"overall": {"precision": 0.9196, "recall_rows": 0.5353},
                        "covered": {"precision": 0.965, "recall_rows": 0.684}},
              "val": {"overall": {"precision": 0.9036, "recall_rows": 0.5102},
                      "covered": {"precision": 0.9646, "recall_rows": 0.6818}}}
ROR_ID = re.compile(r"0[a-z0-9]{6}[0-9]{2}")
CURVE_CUTS = (0.5, 0.6, 0.7, 0.74, 0.78, 0.81, 0.85, 0.9)


def default_data_dir() -> Path:
    """``--data``, else ``$COLLABATLAS_DATA``, else ``../shared/data`` next to the repository."""
    return config.data_dir() or REPO.parent / "shared" / "data"


def load_gold(data_dir: Path) -> pd.DataFrame:
    gold = pd.read_csv(data_dir / "affiliations" / "s2aff_gold_train_val.csv", dtype=str, keep_default_na=False)
    gold["gold"] = gold["labels"].map(lambda s: frozenset(short_ror(x) for x in ast.literal_eval(s)))
    return gold[["original_affiliation", "gold", "split"]].rename(columns={"original_affiliation": "text"})


def registry_store(data_dir: Path):
    con = store.connect(None)
    load_ror(con, [data_dir / "ror" / f for f in ROR_FILES])
    return con


def predictions(matcher: AffiliationMatcher, texts: list[str]) -> list[tuple[str | None, str | None]]:
    """(ror_id, country) per text at the matcher's threshold."""
    return [(m.ror_id, m.country_code) for m in matcher.match_many(texts)]


def metrics(gold: pd.DataFrame, preds: list, countries: dict[str, str], address_countries: list[str | None]) -> dict:
    """The figures of the module docstring for one set of predictions."""
    registry = set(countries)
    out = {}
    for scope in ("overall", "covered"):
        n_pred = n_right = n_rows = n_gold_ids = 0
        for gold_ids, (rid, _) in zip(gold["gold"], preds, strict=False):
            ids = gold_ids if scope == "overall" else gold_ids & registry
            if not ids:
                continue
            n_rows += 1
            n_gold_ids += len(ids)
            if rid is not None:
                n_pred += 1
                n_right += rid in ids
        precision = n_right / n_pred if n_pred else 0.0
        recall = n_right / n_rows if n_rows else 0.0
        out[scope] = {"strings": n_rows, "predicted": n_pred, "correct": n_right, "precision": round(precision, 4),
                      "recall_rows": round(recall, 4),
                      "recall_ids": round(n_right / n_gold_ids, 4) if n_gold_ids else 0.0,
                      "f1": round(2 * precision * recall / (precision + recall), 4) if n_right else 0.0}
    right = rule_right = n = 0
    gold_countries = []
    for gold_ids, (rid, matched_country), rule_country in zip(gold["gold"], preds, address_countries, strict=False):
        truth = {countries[g] for g in gold_ids if g in countries}
        if not truth:
            continue
        n += 1
        gold_countries.append(sorted(truth)[0])
        predicted = matched_country if rid is not None else rule_country
        right += predicted in truth
        rule_right += rule_country in truth
    top = Counter(gold_countries).most_common(1)[0] if gold_countries else ("", 0)
    out["country"] = {"strings": n, "accuracy": round(right / n, 4) if n else 0.0,
                      "rules_only_accuracy": round(rule_right / n, 4) if n else 0.0,
                      "most_common_country": top[0], "most_common_accuracy": round(top[1] / n, 4) if n else 0.0}
    return out


def _splits(data_dir: Path, val_limit: int | None = None) -> dict[str, pd.DataFrame]:
    gold = load_gold(data_dir)
    splits = {s: gold[gold["split"] == s].reset_index(drop=True) for s in ("train", "val")}
    if val_limit:
        splits["val"] = splits["val"].head(val_limit)
    return splits


def evaluate(data_dir: Path | None = None, con=None, val_limit: int | None = None,
             threshold: float | None = None, min_confidence: float | None = None,
             score_only: bool = True) -> dict:
    """Train and val figures at the shipped settings (or the given ones), and of the score-only rule."""
    data_dir = data_dir or default_data_dir()
    con = con or registry_store(data_dir)
    countries = dict(con.execute("SELECT ror_id, country_code FROM ror_institutions").fetchall())
    splits = _splits(data_dir, val_limit)
    result = {"registry_organisations": len(countries)}
    all_ids = set().union(*(set().union(*g["gold"]) for g in splits.values()))
    result["gold_ids"], result["gold_ids_in_registry"] = len(all_ids), len(all_ids & set(countries))
    rules = {s: [resolve_country(t) for t in g["text"]] for s, g in splits.items()}
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    min_confidence = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
    matcher = AffiliationMatcher.from_store(con, threshold=threshold, min_confidence=min_confidence)
    result["threshold"], result["min_confidence"] = threshold, min_confidence
    names = registry_names(con)
    result["name_read"] = {}
    for split, frame in splits.items():
        preds = predictions(matcher, list(frame["text"]))
        result[split] = metrics(frame, preds, countries, rules[split])
        result["name_read"][split] = name_read(frame, preds, names)
    result["bounds"] = {split: bounds(frame, set(countries)) for split, frame in splits.items()}
    result["curve"] = {split: curve(matcher, frame, set(countries)) for split, frame in splits.items()}
    if score_only:
        matcher.set_threshold(PREVIOUS_THRESHOLD, min_confidence=0.0)
        result["score_only"] = {split: metrics(frame, predictions(matcher, list(frame["text"])), countries,
                                               rules[split]) for split, frame in splits.items()}
    result["previous"] = PREVIOUS
    result["abstain_v1"] = ABSTAIN_V1
    result["abstain_v2"] = ABSTAIN_V2
    return result


def registry_names(con) -> dict[str, set[str]]:
    """Every name of every registry organisation (display name, labels, aliases), normalised."""
    out: dict[str, set[str]] = {}
    for rid, name in con.execute("SELECT ror_id, name FROM ror_names WHERE kind <> 'acronym'").fetchall():
        out.setdefault(rid, set()).add(normalise_name(name))
    return out


def name_read(gold: pd.DataFrame, preds: list, names: dict[str, set[str]]) -> dict:
    """An EXTRA figure, not the headline: precision over every string when a gold label that is an
    organisation *name* (S2AFF labels some strings so, where its annotators found no ROR id) counts as
    right for a match whose registry record carries exactly that name, normalised. The headline precision
    counts every such match as wrong."""
    n_pred = n_right = n_by_name = 0
    for gold_ids, (rid, _) in zip(gold["gold"], preds, strict=False):
        if rid is None:
            continue
        n_pred += 1
        if rid in gold_ids:
            n_right += 1
        elif any(not ROR_ID.fullmatch(g) and normalise_name(g) in names.get(rid, ()) for g in gold_ids):
            n_right += 1
            n_by_name += 1
    return {"predicted": n_pred, "correct": n_right, "right_by_name": n_by_name,
            "precision": round(n_right / n_pred, 4) if n_pred else 0.0}


def bounds(frame: pd.DataFrame, registry: set[str]) -> dict:
    """What caps the figures: strings whose gold ids are all outside the registry (any prediction on them
    counts as wrong), and among them those labelled with an organisation *name* instead of a ROR id."""
    outside = [g for g in frame["gold"] if not g & registry]
    return {"strings": len(frame), "covered": len(frame) - len(outside), "gold_outside_registry": len(outside),
            "name_labelled": sum(any(not ROR_ID.fullmatch(x) for x in g) for g in outside)}


def curve(matcher: AffiliationMatcher, frame: pd.DataFrame, registry: set[str]) -> list[dict]:
    """Precision over every string and covered recall at other cut-offs, at the matcher's score floor.
    Reported only: the shipped cut-off is fitted on train (``--fit``), whatever this says for val."""
    covered = sum(bool(g & registry) for g in frame["gold"])
    rows = [(matcher.candidate(t), g) for t, g in zip(frame["text"], frame["gold"], strict=False)]
    scored = [(confidence(c.features), c.ror_id in g) for c, g in rows if c is not None]
    out = []
    for cut in CURVE_CUTS:
        kept = [right for conf, right in scored if conf >= cut]
        out.append({"min_confidence": cut, "precision": round(sum(kept) / max(len(kept), 1), 4),
                    "recall_covered": round(sum(kept) / max(covered, 1), 4)})
    return out


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Intercept and weights of an L2-penalised logistic regression (Newton steps; no penalty on the
    intercept)."""
    x1 = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(x1.shape[1])
    penalty = l2 * np.diag([0.0] + [1.0] * x.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-x1 @ w))
        step = np.linalg.solve(x1.T @ (x1 * (p * (1 - p))[:, None]) + penalty,
                               x1.T @ (y - p) - penalty @ w)
        w += step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _out_of_fold(x: np.ndarray, y: np.ndarray, groups: list, folds: int = 5) -> np.ndarray:
    """Each train candidate's confidence under a model fitted on the other folds: an estimate of how the
    rule does on new strings. Folds are dealt by group (the string's gold id set, in sorted order), so the
    near-copies S2AFF holds of one organisation's address never sit on both sides of a fold."""
    order = {g: i for i, g in enumerate(sorted(set(groups)))}
    fold = np.array([order[g] % folds for g in groups])
    conf = np.empty(len(x))
    for k in range(folds):
        w = _fit_logistic(x[fold != k], y[fold != k])
        conf[fold == k] = 1 / (1 + np.exp(-(w[0] + x[fold == k] @ w[1:])))
    return conf


def wilson_lower(right: int, n: int, z: float = 1.645) -> float:
    """One-sided 95% Wilson lower bound of a proportion ``right / n`` (0 when n is 0)."""
    if n == 0:
        return 0.0
    p = right / n
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float((centre - spread) / (1 + z * z / n))


def fit(data_dir: Path | None = None, con=None, target: float = FIT_TARGET,
        floors: tuple[float, ...] = (75, 78, 80, 83, 86), folds: int = 5) -> dict:
    """Fit the abstain rule on the train split (see the module docstring); return the model to ship.

    For each score floor: the candidates of every train string, their features, and the label "the
    candidate is one of the gold ids". The cut-off is chosen on *out-of-fold* confidences (``folds``-fold
    cross-validation within train, folds by gold id set): the lowest cut-off at which the one-sided 95%
    Wilson lower bound of the out-of-fold precision over every train string reaches ``target`` (the
    margin), which gives the highest covered recall; the floor with the highest such recall wins, and its
    model is refitted on all of train. Val is never read."""
    data_dir = data_dir or default_data_dir()
    con = con or registry_store(data_dir)
    registry = {r for (r,) in con.execute("SELECT ror_id FROM ror_institutions").fetchall()}
    train = _splits(data_dir)["train"]
    matcher = AffiliationMatcher.from_store(con, min_confidence=0.0)
    covered = sum(bool(g & registry) for g in train["gold"])
    best, curves = None, {}
    for floor in floors:
        matcher.set_threshold(floor)
        rows = [(matcher.candidate(t), g) for t, g in zip(train["text"], train["gold"], strict=False)]
        rows = [(c, g) for c, g in rows if c is not None]
        x = np.array([[c.features[f] for f in ABSTAIN_FEATURES] for c, _ in rows])
        y = np.array([c.ror_id in g for c, g in rows], dtype=float)
        oof = _out_of_fold(x, y, [tuple(sorted(g)) for _, g in rows], folds)
        w = _fit_logistic(x, y)
        model = ({"intercept": round(float(w[0]), 4)}
                 | {f: round(float(v), 4) for f, v in zip(ABSTAIN_FEATURES, w[1:], strict=False)})
        curve = []
        for cut in np.round(np.arange(0.0, 0.96, 0.01), 2):
            kept = oof >= cut
            n_right = int(y[kept].sum())
            curve.append((float(cut), round(n_right / max(int(kept.sum()), 1), 4), round(n_right / covered, 4),
                          round(wilson_lower(n_right, int(kept.sum())), 4)))
        curves[floor] = curve
        for cut, precision, recall, lower in curve:
            if lower >= target:
                if best is None or recall > best["train_cv_recall_covered"]:
                    best = {"threshold": float(floor), "min_confidence": cut, "model": model, "target": target,
                            "folds": folds, "train_cv_precision_overall": precision,
                            "train_cv_precision_lower_bound": lower,
                            "train_cv_recall_covered": recall}
                break
    if best:
        best["train_cv_curve"] = {"floor": best["threshold"], "cut_precision_recall": curves[best["threshold"]]}
    return best or {}


def speed(con, n: int, seed: int = 7) -> dict:
    """Matches per second on ``n`` distinct synthetic WoS-style addresses built from registry names."""
    rows = con.execute("""SELECT name, city, country_name FROM ror_institutions WHERE city IS NOT NULL
                          ORDER BY ror_id""").fetchall()
    rng = random.Random(seed)
    depts = ["Dept Phys", "Sch Med", "Dept Chem", "Inst Biol", "Fac Engn", "Ctr Canc Res", "Div Math", "Dept Econ",
             "Sch Publ Hlth", "Dept Comp Sci", "Lab Mol Genet", "Div Infect Dis"]
    addresses = set()
    while len(addresses) < n:
        name, city, country = rng.choice(rows)
        addresses.add(f"{rng.choice(depts)}, {name}, {city} {rng.randint(1000, 99999)}, {country}")
    addresses = sorted(addresses)
    start_build = time.perf_counter()
    matcher = AffiliationMatcher.from_store(con)
    build = time.perf_counter() - start_build
    start, cpu = time.perf_counter(), time.process_time()
    matched = sum(m.ror_id is not None for m in matcher.match_many(addresses))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return {"addresses": n, "distinct_names_sampled_from": len(rows), "matcher_build_seconds": round(build, 2),
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "per_second": round(n / seconds),
            "per_cpu_second": round(n / cpu_seconds), "matched_share": round(matched / n, 4)}


def wos_addresses(data_dir: Path) -> list[str]:
    """Every C1 address (author brackets removed) of the WoS tab-delimited samples, repeats kept."""
    addresses = []
    for path in sorted((data_dir / "wos").glob("wos_*.txt.gz")):
        frame = pd.read_csv(path, sep="\t", quoting=3, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        for c1 in frame["C1"]:
            parts = re.split(r";\s*(?=\[)", c1)
            addresses += [re.sub(r"^\[[^\]]*\]\s*", "", a).strip() for a in parts if a.strip()]
    return addresses


def speed_wos(con, data_dir: Path) -> dict:
    """Matches per second on the real WoS C1 addresses; share matched and share with a country."""
    addresses = wos_addresses(data_dir)
    matcher = AffiliationMatcher.from_store(con)
    start, cpu = time.perf_counter(), time.process_time()
    results = matcher.match_many(addresses)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return {"addresses": len(addresses), "distinct": len(set(addresses)), "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2), "per_second": round(len(addresses) / seconds),
            "matched_share": round(sum(m.ror_id is not None for m in results) / len(results), 4),
            "country_share": round(sum(m.country_code is not None for m in results) / len(results), 4)}


def summary(result: dict) -> str:
    """The headline figures, today next to the previous rule, as a plain-text table."""
    lines = ["abstain rule fitted on the train split only (grouped 5-fold cross-validation, --fit); "
             "val is reported, never used to fit",
             f"{'split':5} {'scope':8} {'figure':9} {'previous':>9} {'abstain-v1':>10} {'abstain-v2':>10} "
             f"{'score-only':>10} {'now':>7}"]
    for split in ("train", "val"):
        for scope, figure in (("overall", "precision"), ("overall", "recall_rows"), ("covered", "precision"),
                              ("covered", "recall_rows")):
            now = result[split][scope][figure]
            prev = result["previous"][split][scope][figure]
            score_only = result.get("score_only", {}).get(split, {}).get(scope, {}).get(figure, float("nan"))
            name = "recall" if figure == "recall_rows" else figure
            v1 = result.get("abstain_v1", ABSTAIN_V1)[split][scope][figure]
            v2 = result.get("abstain_v2", ABSTAIN_V2)[split][scope][figure]
            lines.append(f"{split:5} {scope:8} {name:9} {prev:9.3f} {v1:10.3f} {v2:10.3f} {score_only:10.3f} "
                         f"{now:7.3f}")
    lines.append(f"(overall = every string; covered = strings with a gold id in the registry; threshold "
                 f"{result['threshold']:g}, min_confidence {result['min_confidence']:g})")
    for split, extra in result.get("name_read", {}).items():
        lines.append(f"EXTRA, not the headline — {split} overall precision with name labels read by name: "
                     f"{extra['precision']:.3f} ({extra['right_by_name']} of {extra['predicted']} matches carry "
                     f"exactly the organisation name S2AFF gives as the label; counted wrong above)")
    for split, b in result.get("bounds", {}).items():
        lines.append(f"{split}: {b['strings']} strings, {b['gold_outside_registry']} with every gold id outside the "
                     f"registry ({b['name_labelled']} of them labelled with a name, not a ROR id)")
    for split, points in result.get("curve", {}).items():
        lines.append(f"{split} curve (min_confidence: precision overall / recall covered): " + ", ".join(
            f"{p['min_confidence']:g}: {p['precision']:.3f}/{p['recall_covered']:.3f}" for p in points))
    for key in ("speed", "speed_wos"):
        if key in result:
            s = result[key]
            lines.append(f"{key}: {s['addresses']:,} addresses, {s['per_second']:,}/s wall, "
                         f"{s.get('per_cpu_second', round(s['addresses'] / max(s['cpu_seconds'], 1e-9))):,}/s CPU "
                         f"(previous: {PREVIOUS['speed_per_cpu_second']:,}/s CPU, synthetic)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="data directory (default: $COLLABATLAS_DATA, else ../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("eval_affiliations.json"))
    parser.add_argument("--speed", type=int, default=20_000,
                        help="distinct synthetic addresses for the speed run (0: skip)")
    parser.add_argument("--fit", action="store_true", help="fit the abstain rule on train and print it")
    parser.add_argument("--target", type=float, default=FIT_TARGET,
                        help="--fit: precision over every train string that the 95%% lower bound of the "
                             "out-of-fold (cross-validated) precision must reach")
    parser.add_argument("--no-ror-style", action="store_true",
                        help="skip the ROR-style figures (benchmarks.eval_ror_style: Crossref set, union registry)")
    args = parser.parse_args()
    data_dir = args.data or default_data_dir()
    con = registry_store(data_dir)
    if args.fit:
        print(json.dumps(fit(data_dir, con, target=args.target), indent=2))
        return
    result = evaluate(data_dir, con)
    if args.speed:
        result["speed"] = speed(con, args.speed)
        result["speed_wos"] = speed_wos(con, data_dir)
    args.out.write_text(json.dumps(result, indent=2))
    shown = {k: v for k, v in result.items() if k not in ("previous", "abstain_v1", "abstain_v2", "curve")}
    print(json.dumps(shown, indent=2))
    print(summary(result))
    if not args.no_ror_style:  # issue 29: ROR's Crossref set and S2AFF, ROR-style, with the union registry
        from benchmarks import eval_ror_style

        ror_style = eval_ror_style.evaluate(data_dir)
        args.out.with_name(args.out.stem + "_ror_style.json").write_text(json.dumps(ror_style, indent=2))
        print(eval_ror_style.summary(ror_style))


if __name__ == "__main__":
    main()
