"""The static report on the real sample: one offline HTML file with every chart, the data tables, a
hand-checked figure, the methodology, the data version and the command; PNG/SVG of each chart."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.views import report as report_lib
from collabatlas.views.cli import app

pytestmark = pytest.mark.realdata
SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc\s*=", re.IGNORECASE)


@pytest.fixture(scope="module")
def store(sample_store):
    return sample_store


@pytest.fixture(autouse=True)
def data_env(shared_data, monkeypatch):
    monkeypatch.setenv("COLLABATLAS_DATA", str(shared_data))


def chart_specs(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="spec-([\w-]+)">(.*?)</script>', html, re.S)
    return {stem: json.loads(body.replace("<\\/", "</")) for stem, body in found}


def test_country_report_is_self_contained_and_complete(store, tmp_path):
    out = tmp_path / "us"
    result = CliRunner().invoke(app, ["report", "--focus", "US", "--years", "2000-2009", "--out", str(out),
                                      "--store", str(store), "--no-images"])
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text()
    assert not SCRIPT_SRC.search(html)  # no script is loaded from anywhere, let alone a CDN
    assert "window.vegaEmbed" in html  # the bundle is inline
    specs = chart_specs(html)
    assert set(specs) == {"partners", "trend", "map", "subjects", "group", "landscape", "impact"}
    assert "shares of so few works are unreliable" in html  # the small sample: every country, said so
    assert "Collaboration distance" in html and "two geocoded institutions" in html  # no ROR: a note, no chart
    for stem, spec in specs.items():
        assert f'data-chart="{stem}"' in html
        assert "data version 1" in " ".join(spec["title"]["subtitle"]), stem
    # hand-checked: US–IT CS 2000-2009 = W2314057378 (IT 4/5 incl. an author placed by `countries`, US 1/5)
    # + W1799019926 (IT 1/3 + 1/6 + 2/9 = 13/18, US 1/9) = 1 + 15/18 = 1.833, over 2 joint works
    assert re.search(r"<td>IT</td><td>Italy</td><td class=\"num\">2</td><td class=\"num\">1\.833</td>", html)
    assert "Methodology" in html and "1/n" in html
    assert f"collabatlas report --focus US --out {out} --years 2000-2009 --store {store} --no-images" in html
    assert "data version 1" in html and "years 2000-2009" in html


def test_report_writes_png_and_svg_of_each_chart(store, tmp_path):
    with collabatlas.open(store, read_only=True) as atlas:
        built = report_lib.build_report(atlas, "Columbia University", command="collabatlas report --focus X")
        paths = report_lib.write_report(built, tmp_path, formats=("png", "svg"))
    stems = [stem for stem, _ in built.all_charts()]
    assert stems == ["hotspots", "contribution", "partners", "trend", "map", "industry", "subjects"]
    for stem in stems:
        assert (tmp_path / f"{stem}.png").read_bytes()[:4] == b"\x89PNG"
        assert (tmp_path / f"{stem}.svg").read_text().lstrip().startswith("<svg")
    html = paths[0].read_text()
    assert set(chart_specs(html)) == set(stems)
    assert "Columbia University" in html and "collabatlas report --focus X" in html
    headline = dict(built.headline)
    assert headline["Count (works)"] == "5"  # Columbia: 5 works in the sample (scores --level institution)


def test_report_escapes_text(store, tmp_path):
    with collabatlas.open(store, read_only=True) as atlas:
        built = report_lib.build_report(atlas, "US", years="2005",
                                        command="collabatlas report <script>alert(1)</script>")
    html = report_lib.render_html(built)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chart_command_each_kind(store, tmp_path):
    runner = CliRunner()
    cases = {
        "partners": ["--unit", "US"], "trend": ["--unit", "US", "--partner", "IT,GB", "--years", "2000-2009"],
        "subjects": ["--unit", "US"], "map": ["--unit", "US"],
        "group": ["--unit", "US", "--periods", "2000-2004,2005-2009"],
        "contribution": ["--unit", "Columbia University"], "hotspots": ["--unit", "Columbia University"],
        "landscape": ["--year", "2008"], "industry": [],
        "ranking": ["--level", "institution", "--country", "US", "--by", "cs_international"],
    }
    assert set(cases) == set(report_lib.KINDS)
    for kind, args in cases.items():
        out = tmp_path / f"{kind}.json"
        result = runner.invoke(app, ["chart", kind, *args, "--out", str(out), "--store", str(store)])
        assert result.exit_code == 0, (kind, result.output)
        assert json.loads(out.read_text())["title"]["subtitle"][-1].endswith(f"collabatlas {collabatlas.__version__}")
    bad = runner.invoke(app, ["chart", "partners", "--unit", "XX", "--out", str(tmp_path / "x.png"),
                              "--store", str(store)])
    assert bad.exit_code == 2 and "unknown country 'XX'" in bad.output
    missing = runner.invoke(app, ["chart", "group", "--unit", "US", "--out", str(tmp_path / "g.svg"),
                                  "--store", str(store)])
    assert missing.exit_code == 2 and "--periods" in missing.output


def test_country_sheet_shows_only_the_cs_that_means_something(store):
    from collabatlas.views import factsheet

    with collabatlas.open(store, read_only=True) as atlas:
        sheet = factsheet.build_factsheet(atlas, "US")
        row = atlas.totals(level="country").set_index("unit").loc["US"]
        institution = report_lib.build_report(atlas, "Columbia University")
    labels = dict(sheet.headline)
    assert row["cs_domestic"] == 0 and row["cs_total"] == pytest.approx(row["cs_international"])
    assert "domestic CS" not in labels and "total CS" not in labels and "international CS" not in labels
    assert labels["CS (total = international at country level)"] == f"{row['cs_international']:,.3f}"
    assert {"total CS", "domestic CS", "international CS"} <= set(dict(institution.headline))  # they differ there


def test_headline_figures_read_as_the_tables_write_them(store):
    """One rounding rule per quantity: the headline's Share and CS have the decimals of the report's
    tables (3), never 2 in the headline and 3 below it; a % has one decimal as in every table."""
    from collabatlas.views import numbers
    from collabatlas.views.bilateral import headline as pair_headline

    with collabatlas.open(store, read_only=True) as atlas:
        built = report_lib.build_report(atlas, "US")
        row = atlas.totals(level="country").set_index("unit").loc["US"]
        us, gb = atlas.partners("US", top=1000), atlas.partners("GB", top=1000)
    headline = dict(built.headline)
    assert headline["Share"] == f"{row['share']:,.3f}" == numbers.cell("share", row["share"])[0]
    assert report_lib._table_rows(pd.DataFrame({"share": [row["share"]]}))["rows"][0][0][0] == headline["Share"]
    pair = dict(pair_headline(us, gb, "US", "GB", "United States", "United Kingdom"))
    cs = us.set_index("partner").loc["GB"]
    assert pair["bilateral CS"] == f"{cs['cs']:,.3f}"
    pct = next(v for k, v in pair.items() if k.startswith("% of United States"))
    assert pct == f"{cs['pct_of_international_cs']:,.1f}"


def test_pair_sheet_html_links_its_pdf_and_has_margins(store):
    from collabatlas.views import factsheet

    with collabatlas.open(store, read_only=True) as atlas:
        sheet = factsheet.build_factsheet(atlas, "US", partner="GB")
    linked = factsheet.render_html(sheet, pdf_name='factsheet-US-GB.pdf"><script>x</script>')
    assert '<a href="factsheet-US-GB.pdf&#34;&gt;&lt;script&gt;x&lt;/script&gt;">' in linked  # escaped
    assert "@media print { .pdf-link { display: none; } }" in linked
    assert re.search(r"@media screen \{ body \{[^}]*margin: 12mm auto", linked)
    assert "pdf-link" not in factsheet.render_html(sheet).split("<body>")[1]  # no PDF, no link


def test_country_report_has_the_impact_section_of_the_impact_command(store):
    """Issue 30: the report's impact section is the `impact` rows (OpenAlex normalisation, full counting)
    under the report's filters, and its chart."""
    with collabatlas.open(store, read_only=True) as atlas:
        built = report_lib.build_report(atlas, "US", years="2000-2023")
        expected = atlas.impact("US", years="2000-2023")
    section = next(s for s in built.sections if s.key == "impact")
    (caption, table), = section.tables
    assert list(table["collab_type"]) == list(expected["collab_type"]) == [
        "single", "national", "international", "industry", "all"]
    for col in ("p", "p_impact", "mcs", "mncs", "pp_top10"):
        assert table[col].tolist() == pytest.approx(expected[col].tolist(), nan_ok=True), col
    assert [stem for stem, _ in section.charts] == ["impact"] and "openalex" in " ".join(section.notes).lower()

