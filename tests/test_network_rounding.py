"""One rounding rule for every network file (collabatlas.rounding): the same weight reads the same
characters in CSV, GEXF, GraphML, Pajek, VOSviewer text and VOSviewer JSON, and every numeric attribute
of the XML files goes through the rule."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET

import pandas as pd

from collabatlas import rounding
from collabatlas.analyses import network as N

#: 2/3 and 0.1 + 0.2 written as Python's repr has them (17 digits), and a sum's last binary digit
TWO_THIRDS, POINT_THREE, NOISY = 2 / 3, 0.1 + 0.2, 1.0000000000000002 + 0.5


def small() -> N.Network:
    pairs = pd.DataFrame({"unit_a": ["a", "b", "a"], "unit_b": ["b", "c", "c"], "cs": [TWO_THIRDS, POINT_THREE, NOISY],
                          "joint_count": [3, 1, 2]})
    totals = pd.DataFrame({"unit": ["a", "b", "c"], "count": [3, 4, 2], "share": [1 / 3, 2.0000000000000004, 0.5],
                           "cs_total": [TWO_THIRDS + NOISY, TWO_THIRDS + POINT_THREE, POINT_THREE + NOISY],
                           "name": ["Alpha", "Beta", "Gamma"]})
    return N.network_from_frames(pairs, totals, "institution").cluster(seed=1).layout("fr", seed=1)


EXPECTED = {("a", "b"): "0.6666666667", ("b", "c"): "0.3", ("a", "c"): "1.5"}


def _key(a: str, b: str) -> tuple[str, str]:
    return tuple(sorted((a, b)))


def test_the_rule_is_what_the_expected_texts_say():
    assert rounding.text(TWO_THIRDS) == "0.6666666667" and rounding.text(POINT_THREE) == "0.3"
    assert rounding.text(NOISY) == "1.5" and repr(NOISY) != "1.5"


def test_the_same_weight_reads_the_same_characters_in_every_network_file(tmp_path):
    net = small()
    ids = list(net.nodes["id"])

    rows = list(csv.DictReader((N.write(net, tmp_path / "csv", "csv")[1]).open(encoding="utf-8")))
    in_csv = {_key(r["source"], r["target"]): r["weight"] for r in rows}

    gexf = ET.parse(N.write(net, tmp_path / "n.gexf")[0]).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    in_gexf = {_key(e.get("source"), e.get("target")): e.get("weight") for e in gexf.iterfind(".//g:edge", ns)}
    in_gexf_attribute = {_key(e.get("source"), e.get("target")):
                         e.find("g:attvalues/g:attvalue[@for='weight']", ns).get("value")
                         for e in gexf.iterfind(".//g:edge", ns)}

    graphml = ET.parse(N.write(net, tmp_path / "n.graphml")[0]).getroot()
    gns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    in_graphml = {_key(e.get("source"), e.get("target")): e.find("g:data[@key='e_weight']", gns).text
                  for e in graphml.iterfind(".//g:edge", gns)}

    pajek = N.write(net, tmp_path / "n.net")[0].read_text(encoding="utf-8").split("*Edges\n")[1].splitlines()
    in_pajek = {_key(ids[int(a) - 1], ids[int(b) - 1]): w for a, b, w in (line.split() for line in pajek)}

    vos = (N.write(net, tmp_path / "vos", "vosviewer")[1]).read_text(encoding="utf-8").splitlines()
    in_vos = {_key(ids[int(a) - 1], ids[int(b) - 1]): w for a, b, w in (line.split("\t") for line in vos)}

    vos_json = json.loads(N.write(net, tmp_path / "m.json", "vosviewer")[0].read_text(encoding="utf-8"))
    in_json = {_key(link["source_id"], link["target_id"]): re.search(
        rf'"source_id": "{link["source_id"]}",\s*"target_id": "{link["target_id"]}",\s*"strength": ([^\s,}}]+)',
        (tmp_path / "m.json").read_text(encoding="utf-8")).group(1) for link in vos_json["network"]["links"]}

    for where, found in {"csv": in_csv, "gexf": in_gexf, "gexf attvalue": in_gexf_attribute, "graphml": in_graphml,
                         "pajek": in_pajek, "vosviewer": in_vos, "vosviewer json": in_json}.items():
        assert found == EXPECTED, where


def test_every_numeric_attribute_of_the_xml_files_is_rounded(tmp_path):
    """Shares, total CS, link strengths, positions and sizes: no text longer than the rule writes."""
    net = small()
    gexf = N.write(net, tmp_path / "n.gexf")[0].read_text(encoding="utf-8")
    graphml = N.write(net, tmp_path / "n.graphml")[0].read_text(encoding="utf-8")
    pajek = N.write(net, tmp_path / "n.net")[0].read_text(encoding="utf-8")
    for text in (gexf, graphml, pajek):
        numbers = re.findall(r"(?<![\w.])-?\d+\.\d+(?:e-?\d+)?", text)
        assert numbers and all(rounding.text(float(n)) in (n, n.rstrip("0").rstrip(".")) for n in numbers), text
        assert "0.3333333333333333" not in text and "2.0000000000000004" not in text
    assert 'value="0.3333333333"' in gexf and ">0.3333333333<" in graphml  # a's Share


def test_a_weight_that_is_no_number_is_left_out_of_the_xml(tmp_path):
    """A CS the pair table cannot give (NaN) is absent from GEXF and GraphML, as CSV leaves it empty."""
    net = small()
    net.edges["cs"] = float("nan")
    gexf = N.write(net, tmp_path / "n.gexf")[0].read_text(encoding="utf-8")
    graphml = N.write(net, tmp_path / "n.graphml")[0].read_text(encoding="utf-8")
    assert "nan" not in gexf.lower() and "nan" not in graphml.lower()
    assert 'for="cs"' not in gexf.split("<edges>")[1] and 'key="e_cs"' not in graphml.split("<edge ")[1]
