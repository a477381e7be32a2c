"""Affiliation matching quality on the S2AFF gold set, and matching speed.

    python -m benchmarks.eval_affiliations                       # tune on train, report on val
    python -m benchmarks.eval_affiliations --out eval.json --speed 100000

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
- the threshold is the one with the best F1 (covered) on train, on a grid of 50..100 step 1.
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

import pandas as pd

from collabatlas import config, store
from collabatlas.address_country import resolve_country
from collabatlas.matching import AffiliationMatcher
from collabatlas.ror import load_ror, short_ror

ROR_FILES = ("ror_v2_latest_records.jsonl.gz", "ror_v1_only_latest_records.jsonl.gz")


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
        for gold_ids, (rid, _) in zip(gold["gold"], preds):
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
    for gold_ids, (rid, matched_country), rule_country in zip(gold["gold"], preds, address_countries):
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


def evaluate(data_dir: Path | None = None, con=None, val_limit: int | None = None,
             threshold: float | None = None) -> dict:
    """Tune the threshold on train (unless given), report train and val figures."""
    data_dir = data_dir or config.data_dir()
    con = con or registry_store(data_dir)
    gold = load_gold(data_dir)
    countries = dict(con.execute("SELECT ror_id, country_code FROM ror_institutions").fetchall())
    matcher = AffiliationMatcher.from_store(con)
    result = {"registry_organisations": len(countries)}
    all_ids = set().union(*gold["gold"])
    result["gold_ids"], result["gold_ids_in_registry"] = len(all_ids), len(all_ids & set(countries))
    splits = {s: gold[gold["split"] == s].reset_index(drop=True) for s in ("train", "val")}
    if val_limit:
        splits["val"] = splits["val"].head(val_limit)
    rules = {s: [resolve_country(t) for t in g["text"]] for s, g in splits.items()}
    if threshold is None:
        train = list(splits["train"]["text"])
        tuning = {}
        for t in range(60, 101):
            matcher.set_threshold(t)
            tuning[t] = metrics(splits["train"], predictions(matcher, train), countries, rules["train"])
        threshold = float(max(tuning, key=lambda t: (tuning[t]["covered"]["f1"], -t)))
        result["train"] = tuning[int(threshold)]
        result["train_f1_by_threshold"] = {t: m["covered"]["f1"] for t, m in tuning.items()}
    matcher.set_threshold(threshold)
    result["threshold"] = threshold
    result["val"] = metrics(splits["val"], predictions(matcher, list(splits["val"]["text"])), countries, rules["val"])
    return result


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: config.data_dir())")
    parser.add_argument("--out", type=Path, default=Path("eval_affiliations.json"))
    parser.add_argument("--speed", type=int, default=20_000,
                        help="distinct synthetic addresses for the speed run (0: skip)")
    args = parser.parse_args()
    data_dir = args.data or config.data_dir()
    con = registry_store(data_dir)
    result = evaluate(data_dir, con)
    if args.speed:
        result["speed"] = speed(con, args.speed)
        result["speed_wos"] = speed_wos(con, data_dir)
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
