"""Quick tests of the synthetic-works generator (benchmarks.synth) and the pandas baseline.

The generator's two writers must describe the same works: the JSON dicts are turned into store
rows here in plain Python and compared with the Parquet rows. The baseline is checked on hand
examples and against a plain-Python count straight from the JSON dicts.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections import defaultdict
from itertools import combinations

import duckdb
import orjson
import pandas as pd
import pyarrow.parquet as pq
import pytest

from benchmarks import pandas_baseline, synth


def _short(url: str | None) -> str | None:
    return None if url is None else url.rsplit("/", 1)[1]


def json_to_rows(works) -> dict[str, list[dict]]:
    """Store rows of OpenAlex Work dicts, in plain Python."""
    rows: dict[str, list[dict]] = {t: [] for t in synth.TABLES}
    institutions: dict[str, dict] = {}
    for w in works:
        wid = _short(w["id"])
        topic, source = w["primary_topic"], w["primary_location"]["source"]
        updated = dt.datetime.fromisoformat(w["updated_date"])
        rows["works"].append({
            "work_id": wid,
            "doi": w["doi"] and w["doi"].removeprefix("https://doi.org/"),
            "title": w["title"],
            "year": w["publication_year"],
            "pub_date": dt.date.fromisoformat(w["publication_date"]),
            "type": w["type"],
            "source_id": _short(source["id"]),
            "source_name": source["display_name"],
            "domain_id": _short(topic["domain"]["id"]),
            "domain": topic["domain"]["display_name"],
            "field_id": _short(topic["field"]["id"]),
            "field": topic["field"]["display_name"],
            "subfield_id": _short(topic["subfield"]["id"]),
            "subfield": topic["subfield"]["display_name"],
            "n_authors": len(w["authorships"]),
            "updated_date": updated,
            "origin": "openalex",
        })
        for pos, a in enumerate(w["authorships"], 1):
            inst_ids = list(dict.fromkeys(_short(i["id"]) for i in a["institutions"]))
            countries = list(dict.fromkeys(a["countries"]))
            rows["authorships"].append({
                "work_id": wid,
                "author_position": pos,
                "author_id": _short(a["author"]["id"]),
                "author_name": a["author"]["display_name"],
                "n_institutions": len(inst_ids),
                "n_countries": len(countries),
            })
            rows["affiliations"] += [
                {"work_id": wid, "author_position": pos, "institution_id": i} for i in inst_ids
            ]
            rows["author_countries"] += [
                {"work_id": wid, "author_position": pos, "country_code": c} for c in countries
            ]
            for inst in a["institutions"]:
                iid = _short(inst["id"])
                seen = institutions.get(iid)
                institutions[iid] = {
                    "institution_id": iid,
                    "ror": _short(inst["ror"]),
                    "name": inst["display_name"],
                    "country_code": inst["country_code"],
                    "type": inst["type"],
                    "lineage": [_short(x) for x in inst["lineage"]],
                    "updated_date": max(updated, seen["updated_date"]) if seen else updated,
                    "origin": "work",
                }
    rows["institutions"] = list(institutions.values())
    return rows


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: orjson.dumps(r, option=orjson.OPT_SORT_KEYS))


def _read_store(root) -> dict[str, pd.DataFrame]:
    return {t: pq.read_table(root / t).to_pandas() for t in synth.TABLES}


# --- generator ----------------------------------------------------------------------------------
def test_same_seed_same_works_and_prefix_stable():
    works = [orjson.dumps(w) for w in synth.iter_work_dicts(40, seed=7)]
    assert works == [orjson.dumps(w) for w in synth.iter_work_dicts(40, seed=7)]
    assert works[15:25] == [orjson.dumps(w) for w in synth.iter_work_dicts(10, seed=7, start=15)]
    assert works != [orjson.dumps(w) for w in synth.iter_work_dicts(40, seed=8)]


@pytest.mark.slow  # worker processes write the parts
def test_jsonl_gz_is_byte_identical_and_parts_split_the_works(tmp_path):
    files_a, size_a = synth.write_jsonl_gz(tmp_path / "a", 500, seed=3, parts=3)
    files_b, size_b = synth.write_jsonl_gz(tmp_path / "b", 500, seed=3, parts=3, workers=1)
    assert [f.name for f in files_a] == ["part_000.gz", "part_001.gz", "part_002.gz"]
    assert [f.read_bytes() for f in files_a] == [f.read_bytes() for f in files_b]
    assert size_a == size_b

    (single,), size = synth.write_jsonl_gz(tmp_path / "one.jsonl.gz", 500, seed=3)
    text = gzip.decompress(single.read_bytes())
    assert text == b"".join(gzip.decompress(f.read_bytes()) for f in files_a)
    assert size == len(text)
    lines = text.splitlines()
    assert lines == [orjson.dumps(w) for w in synth.iter_work_dicts(500, seed=3)]


def test_json_size_and_shape():
    works = list(synth.iter_work_dicts(3000, seed=0))
    mean = sum(len(orjson.dumps(w)) for w in works) / len(works)
    assert 5_000 < mean < 8_000
    w = works[0]
    assert w["id"].startswith("https://openalex.org/W")
    assert w["doi"] is None or w["doi"].startswith("https://doi.org/10.")
    assert dt.date.fromisoformat(w["publication_date"]).year == w["publication_year"]
    assert dt.datetime.strptime(w["updated_date"], "%Y-%m-%dT%H:%M:%S.%f")
    assert [a["author_position"] for a in w["authorships"]][0] == "first"
    assert w["primary_topic"]["domain"]["id"].startswith("https://openalex.org/domains/")
    insts = [i for w in works for a in w["authorships"] for i in a["institutions"]]
    assert all(i["ror"] is None or len(i["ror"]) == len("https://ror.org/02ztp3208") for i in insts)
    assert all(i["lineage"][0] == i["id"] for i in insts)
    assert any(len(i["lineage"]) == 2 for i in insts)
    assert any(i["country_code"] is None for i in insts)


def test_calibration(tmp_path):
    synth.write_store_parquet(tmp_path, 20_000, seed=1)
    t = _read_store(tmp_path)
    n_authors = t["works"]["n_authors"]
    assert n_authors.median() == 4
    assert 5.1 < n_authors[n_authors < 100].mean() < 5.7
    assert 5 <= (n_authors >= 100).sum() <= 40
    countries = t["author_countries"].groupby("work_id")["country_code"].nunique()
    assert 0.24 < (countries >= 2).sum() / len(t["works"]) < 0.30
    au = t["authorships"]
    assert 0.02 < ((au["n_institutions"] == 0) & (au["n_countries"] == 1)).mean() < 0.04
    assert 0.01 < ((au["n_institutions"] == 0) & (au["n_countries"] == 0)).mean() < 0.03
    assert t["works"]["year"].between(2000, 2023).all()
    assert (t["works"]["year"] == 2023).sum() > 2 * (t["works"]["year"] == 2000).sum()
    assert t["works"]["type"].value_counts().index[0] == "article"
    assert set(t["works"]["domain_id"]) == {"1", "2", "3", "4"}
    assert t["works"]["field_id"].nunique() == 26


def test_store_files_and_schema(tmp_path):
    result = synth.write_store_parquet(tmp_path, 2500, seed=2, chunk=1000)
    for table in synth.TABLES:
        names = sorted(p.name for p in (tmp_path / table).iterdir())
        expected = 1 if table == "institutions" else 3
        assert names == [f"part_{k:03d}.parquet" for k in range(expected)]
        for name in names:
            schema = pq.read_schema(tmp_path / table / name).remove_metadata()
            assert schema.equals(synth.STORE_SCHEMAS[table])
    assert result["rows"]["works"] == 2500

    con = duckdb.connect()
    described = {
        row[0]: row[1]
        for row in con.sql(f"DESCRIBE SELECT * FROM '{tmp_path}/institutions/*.parquet'").fetchall()
    }
    assert described["lineage"] == "VARCHAR[]"
    assert described["updated_date"] == "TIMESTAMP"
    described = {
        row[0]: row[1]
        for row in con.sql(f"DESCRIBE SELECT * FROM '{tmp_path}/works/*.parquet'").fetchall()
    }
    assert (described["year"], described["pub_date"], described["n_authors"]) == (
        "INTEGER", "DATE", "INTEGER")


def test_json_and_parquet_describe_the_same_works(tmp_path):
    n, seed, mega = 1500, 5, 0.01
    synth.write_store_parquet(tmp_path, n, seed, mega_share=mega, chunk=600)
    expected = json_to_rows(synth.iter_work_dicts(n, seed, mega_share=mega))
    assert max(r["n_authors"] for r in expected["works"]) >= 100
    for table in synth.TABLES:
        got = pq.read_table(tmp_path / table).to_pylist()
        assert _sorted(got) == _sorted(expected[table]), table


def test_parquet_does_not_depend_on_chunking(tmp_path):
    n = synth.BLOCK + 300  # crosses a block boundary
    synth.write_store_parquet(tmp_path / "a", n, seed=4, chunk=n)
    synth.write_store_parquet(tmp_path / "b", n, seed=4, chunk=3333)
    for table in synth.TABLES:
        assert pq.read_table(tmp_path / "a" / table).equals(pq.read_table(tmp_path / "b" / table))


@pytest.mark.slow  # `check` times a generation run
def test_cli(tmp_path, capsys):
    synth.main(["jsonl", str(tmp_path / "j"), "--works", "50", "--seed", "1", "--parts", "2"])
    synth.main(["parquet", str(tmp_path / "p"), "--works", "50", "--seed", "1"])
    synth.main(["check", "--works", "200"])
    out = capsys.readouterr().out
    assert "part_001.gz" in out and "works/s" in out and "JSON bytes/work" in out
    assert (tmp_path / "p" / "authorships" / "part_000.parquet").exists()


# --- pandas baseline --------------------------------------------------------------------------
def _tables(authors: list[tuple[list[str], list[str]]], inst_country: dict[str, str | None]):
    """Store tables of one work W1 whose authors have (institutions, fallback countries)."""
    au, aff, ac = [], [], []
    for pos, (insts, countries) in enumerate(authors, 1):
        au.append({"work_id": "W1", "author_position": pos})
        aff += [{"work_id": "W1", "author_position": pos, "institution_id": i} for i in insts]
        own = [inst_country[i] for i in insts if inst_country[i]] if insts else countries
        ac += [{"work_id": "W1", "author_position": pos, "country_code": c} for c in dict.fromkeys(own)]
    cols = {"affiliations": ["work_id", "author_position", "institution_id"],
            "author_countries": ["work_id", "author_position", "country_code"]}
    return {
        "works": pd.DataFrame({"work_id": ["W1"], "n_authors": [len(authors)]}),
        "authorships": pd.DataFrame(au),
        "affiliations": pd.DataFrame(aff, columns=cols["affiliations"]),
        "author_countries": pd.DataFrame(ac, columns=cols["author_countries"]),
        "institutions": pd.DataFrame(
            {"institution_id": list(inst_country), "country_code": list(inst_country.values())}
        ),
    }


def _as_dict(frame: pd.DataFrame, keys: list[str], value: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r[value]
            for r in frame.to_dict("records")}


def test_baseline_hand_example():
    tables = _tables(
        [(["J1"], []), (["J2", "U1"], []), (["C1"], [])],
        {"J1": "JP", "J2": "JP", "U1": "US", "C1": "CN"},
    )
    out = pandas_baseline.run_all(tables)
    approx = pytest.approx
    assert _as_dict(out["country_scores"], ["unit"], "share") == approx(
        {"JP": 1 / 2, "US": 1 / 6, "CN": 1 / 3})
    assert _as_dict(out["country_scores"], ["unit"], "count") == {"JP": 1, "US": 1, "CN": 1}
    assert _as_dict(out["country_pairs"], ["unit_a", "unit_b"], "cs") == approx(
        {("JP", "US"): 2 / 3, ("CN", "JP"): 5 / 6, ("CN", "US"): 1 / 2})
    assert set(out["country_pairs"]["joint_count"]) == {1}
    assert _as_dict(out["institution_scores"], ["unit"], "share") == approx(
        {"J1": 1 / 3, "J2": 1 / 6, "U1": 1 / 6, "C1": 1 / 3})
    inst_cs = _as_dict(out["institution_pairs"], ["unit_a", "unit_b"], "cs")
    assert len(inst_cs) == 6
    assert inst_cs[("J1", "J2")] == approx(1 / 2)


def test_baseline_fallback_and_unattributed_parts():
    # b1: institution without country; b2: no institution, two countries; b3: nothing; b4: FR.
    tables = _tables(
        [(["K1"], []), ([], ["FR", "DE"]), ([], []), (["F1"], [])],
        {"K1": None, "F1": "FR"},
    )
    country = pandas_baseline.scores(tables, "country")
    assert _as_dict(country, ["unit"], "share") == pytest.approx({"FR": 3 / 8, "DE": 1 / 8})
    institution = pandas_baseline.scores(tables, "institution")
    assert _as_dict(institution, ["unit"], "share") == pytest.approx({"K1": 1 / 4, "F1": 1 / 4})
    assert _as_dict(pandas_baseline.pairs(tables, "country"), ["unit_a", "unit_b"], "cs") == (
        pytest.approx({("DE", "FR"): 1 / 2}))


def _reference_counts(works, level: str):
    """Scores and pairs straight from the JSON dicts, in plain Python."""
    count, share = defaultdict(int), defaultdict(float)
    joint, cs = defaultdict(int), defaultdict(float)
    for w in works:
        n = len(w["authorships"])
        parts: dict[str, float] = defaultdict(float)
        for a in w["authorships"]:
            insts = list({i["id"]: i for i in a["institutions"]}.values())
            for i in insts:
                unit = _short(i["id"]) if level == "institution" else i["country_code"]
                if unit is not None:
                    parts[unit] += 1 / (n * len(insts))
            if not insts and level == "country":
                for c in set(a["countries"]):
                    parts[c] += 1 / (n * len(set(a["countries"])))
        for unit, s in parts.items():
            count[unit] += 1
            share[unit] += s
        for u, v in combinations(sorted(parts), 2):
            joint[(u, v)] += 1
            cs[(u, v)] += parts[u] + parts[v]
    return count, share, joint, cs


@pytest.mark.parametrize("level", pandas_baseline.LEVELS)
def test_baseline_matches_plain_python_on_synthetic_works(tmp_path, level):
    n, seed, mega = 400, 11, 0.01
    synth.write_store_parquet(tmp_path, n, seed, mega_share=mega)
    tables = _read_store(tmp_path)
    count, share, joint, cs = _reference_counts(synth.iter_work_dicts(n, seed, mega), level)
    got = pandas_baseline.scores(tables, level)
    assert _as_dict(got, ["unit"], "count") == dict(count)
    assert _as_dict(got, ["unit"], "share") == pytest.approx(dict(share))
    got = pandas_baseline.pairs(tables, level)
    assert _as_dict(got, ["unit_a", "unit_b"], "joint_count") == dict(joint)
    assert _as_dict(got, ["unit_a", "unit_b"], "cs") == pytest.approx(dict(cs))
