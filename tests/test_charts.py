"""Charts on the real sample: each spec plots exactly the Atlas result (right column, right values),
carries its caption, and renders to SVG / PNG offline."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

import collabatlas
from collabatlas.analyses.profile import REST_OF_WORLD
from collabatlas.counting.subjects import NI_SUBJECTS
from collabatlas.views import charts
from collabatlas.views.charts import ChartContext

pytestmark = pytest.mark.realdata
YEARS = "2000-2009"


@pytest.fixture(scope="module")
def atlas(shared_data, tmp_path_factory):
    import os

    old = os.environ.get("COLLABATLAS_DATA")
    os.environ["COLLABATLAS_DATA"] = str(shared_data)  # groups and indicators read the data directory
    a = collabatlas.open(":memory:")
    a.ingest(shared_data / "openalex")
    yield a
    a.close()
    if old is None:
        os.environ.pop("COLLABATLAS_DATA", None)
    else:
        os.environ["COLLABATLAS_DATA"] = old


@pytest.fixture(scope="module")
def ctx(atlas):
    return ChartContext.from_atlas(atlas, years=YEARS)


# -- helpers that read a Vega-Lite spec -----------------------------------------------------------

def marks(spec: dict, data: str | None = None) -> list[tuple[str, dict, list[dict]]]:
    """Every (mark type, encoding, data rows) of a spec, with data inherited from parents."""
    datasets = spec.get("datasets", {})
    found = []

    def walk(node, inherited):
        name = node.get("data", {}).get("name", inherited) if isinstance(node.get("data"), dict) else inherited
        if "mark" in node:
            mark = node["mark"]["type"] if isinstance(node["mark"], dict) else node["mark"]
            found.append((mark, node.get("encoding", {}), datasets.get(name, [])))
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in node.get(key, []):
                walk(child, name)
        if "spec" in node:
            walk(node["spec"], name)

    walk(spec, data)
    return found


def the_mark(spec: dict, mark: str, channel: str | None = None, field: str | None = None):
    hits = [m for m in marks(spec) if m[0] == mark and (channel is None or m[1].get(channel, {}).get("field") == field)]
    assert hits, f"no {mark} mark with {channel}={field}: {[(m[0], m[1].keys()) for m in marks(spec)]}"
    return hits[0]


def subtitle(spec: dict) -> str:
    return " ".join(spec["title"]["subtitle"])


def assert_caption(spec: dict, atlas, *needles: str) -> None:
    text = subtitle(spec)
    assert f"data version {atlas.data_version}" in text
    assert f"collabatlas {collabatlas.__version__}" in text
    for needle in needles:
        assert needle in text, f"{needle!r} not in caption {text!r}"


def by(rows: list[dict], key, value: str) -> dict:
    return {(tuple(r[k] for k in key) if isinstance(key, tuple) else r[key]): r[value] for r in rows}


# -- caption ------------------------------------------------------------------------------------

def test_caption_names_filters_counting_and_data_version():
    ctx = ChartContext(filters={"years": "2015-2021", "subject": "ni:chemistry", "type": None}, data_version=7)
    lines = ctx.caption("Bilateral CS = ...")
    assert lines[0] == "Bilateral CS = ..."
    assert lines[-1] == (f"years 2015-2021, subject ni:chemistry · fractional counting (Share and CS) · works · "
                         f"data version 7 · collabatlas {collabatlas.__version__}")
    assert ChartContext().caption("d")[-1].startswith("all works (no filter)")
    assert "subject" not in ctx.with_filters(subject=None).filters_text()
    # groups by their description, work type by its name; long lines wrapped at words
    assert ctx.with_filters(group="bri", type="article").filters_text().endswith(
        "work type article, group Belt and Road countries (bri)")
    wrapped = ctx.caption("word " * 60, width=50)
    assert len(wrapped) > 3 and all(len(line) <= 50 for line in wrapped)


def test_caption_names_the_sources_of_the_works(atlas):
    ctx = ChartContext.from_atlas(atlas)
    origins = [o for (o,) in atlas.con.execute("SELECT DISTINCT origin FROM work_sources").fetchall()]
    assert ctx.source.startswith("works from ") and "OpenAlex" in ctx.source and len(origins) >= 1


# -- each chart plots the Atlas result -------------------------------------------------------------

def test_partner_bars_plot_partners_cs_in_rank_order(atlas, ctx):
    df = atlas.partners("US", years=YEARS, top=10)
    spec = charts.partner_bars(df, ctx, "United States", top=10).to_dict()
    _, enc, rows = the_mark(spec, "bar", "x", "cs")
    assert enc["y"]["field"] == "label"
    assert by(rows, "partner", "cs") == dict(zip(df["partner"], df["cs"], strict=True))
    assert by(rows, "partner", "pct_of_international_cs") == pytest.approx(
        dict(zip(df["partner"], df["pct_of_international_cs"], strict=True)))
    labels = by(rows, "partner", "label")
    assert enc["y"]["sort"] == [labels[p] for p in df["partner"]]  # bars sorted by CS as ranked
    assert labels["IT"] == "Italy (IT)"
    assert_caption(spec, atlas, "years 2000-2009", "Bilateral CS", "fractional counting (Share and CS)")


def test_bar_labels_write_cs_as_the_partner_table_does(atlas, ctx):
    """A bar's value label is the partner table's cell (3 decimals, the % with one), not a chart-only
    rounding (2.18 beside 2.178 in the table under it)."""
    from collabatlas.views import numbers

    df = atlas.partners("US", years=YEARS, top=10)
    spec = charts.partner_bars(df, ctx, "United States", top=10).to_dict()
    texts = {r["partner"]: r["text"] for values in spec["datasets"].values() for r in values if "text" in r}
    for row in df.itertuples():
        assert texts[row.partner] == (f"{numbers.cell('cs', row.cs)[0]}  "
                                      f"({numbers.cell('pct_of_international_cs', row.pct_of_international_cs)[0]}%)")
    assert texts["IT"].startswith(f"{df.set_index('partner').loc['IT', 'cs']:,.3f}")


def test_trend_lines_plot_each_pairs_cs_per_year(atlas, ctx):
    partners = ["IT", "GB", "CH"]
    trends = {p: atlas.trend("US", p, years=YEARS) for p in partners}
    spec = charts.trend_lines(trends, ctx, "United States").to_dict()
    _, enc, rows = the_mark(spec, "line", "y", "cs")
    assert enc["x"]["field"] == "period" and enc["color"]["field"] == "label"
    got = by(rows, ("partner", "period"), "cs")
    want = {(p, period): cs for p, t in trends.items() for period, cs in zip(t["period"], t["cs"], strict=True)}
    assert got == want
    assert got[("IT", 2005)] == pytest.approx(11 / 6)  # hand-checked: 15/18 + 1 (see test_report)
    assert_caption(spec, atlas, "years 2000-2009")


def test_subject_small_multiples_one_panel_per_subject(atlas, ctx):
    by_subject = {title: atlas.partners("US", top=5, years=YEARS, subject=f"ni:{slug}")
                  for slug, (title, _) in NI_SUBJECTS.items()}
    spec = charts.subject_small_multiples(by_subject, ctx, "United States").to_dict()
    drawn = [s for s, df in by_subject.items() if len(df)]
    assert [p["title"]["text"] for p in spec["concat"]] == drawn  # one panel per subject with partners
    assert [p["transform"][0]["filter"] for p in spec["concat"]] == [{"field": "subject", "equal": s} for s in drawn]
    rows = spec["datasets"][spec["data"]["name"]]
    _, enc, _ = the_mark(spec, "bar", "x", "cs")
    want = {(s, p): cs for s, df in by_subject.items() for p, cs in zip(df["partner"], df["cs"], strict=True)}
    assert by(rows, ("subject", "partner"), "cs") == want
    empty = [s for s, df in by_subject.items() if df.empty]
    assert empty and all(s in subtitle(spec) for s in empty)  # subjects without partners are named


def test_two_period_circles_area_proportional_to_group_cs(atlas, ctx):
    report = atlas.group("US", "bri", ["2000-2004", "2005-2009"])
    spec = charts.two_period_circles(report.partners, ctx, "United States", "bri").to_dict()
    _, enc, rows = the_mark(spec, "circle", "size", "cs")
    scale = enc["size"]["scale"]
    assert scale["type"] == "linear" and scale["zero"] is True and scale["rangeMin"] == 0  # area ∝ CS
    want = {(p, period): report.partners.loc[i, f"cs_{period}"]
            for i, p in enumerate(report.partners["partner"]) for period in ("2000-2004", "2005-2009")}
    assert by(rows, ("partner", "period"), "cs") == want
    _, _, growth = the_mark(spec, "text", "text", "growth")
    shown = by(growth, "partner", "growth")
    for p, g in zip(report.partners["partner"], report.partners["growth_pct"], strict=True):
        assert shown[p] == (f"{g:+.0f}%" if pd.notna(g) else "new")
    assert "circle area proportional to CS" in subtitle(spec)


def test_contribution_bars_split_cs_into_own_and_partner_share(atlas, ctx):
    profile = atlas.profile("Columbia University")
    spec = charts.contribution_bars(profile.partners, ctx, profile.name).to_dict()
    _, enc, rows = the_mark(spec, "bar", "x", "share")
    assert enc["color"]["field"] == "side"
    got = by(rows, ("partner", "side"), "share")
    for p, own, other in zip(profile.partners["partner"], profile.partners["own_share"],
                             profile.partners["partner_share"], strict=True):
        assert got[(p, "own contribution")] == own and got[(p, "partner contribution")] == other
    pct = by(rows, ("partner", "side"), "pct")
    for p, own_pct in zip(profile.partners["partner"], profile.partners["own_pct"], strict=True):
        assert pct[(p, "own contribution")] == pytest.approx(own_pct)


def test_industry_contribution_bars_use_academic_share(atlas, ctx):
    ind = atlas.industry()
    spec = charts.contribution_bars(ind, ctx, "companies", own="own_share", other="academic_share", key="unit",
                                    labels=("company", "academia")).to_dict()
    _, _, rows = the_mark(spec, "bar", "x", "share")
    got = by(rows, ("partner", "side"), "share")
    assert got == {**{(u, "company"): v for u, v in zip(ind["unit"], ind["own_share"], strict=True)},
                   **{(u, "academia"): v for u, v in zip(ind["unit"], ind["academic_share"], strict=True)}}


def test_hotspot_bars_percentages_with_rest_of_world_last():
    hotspots = pd.DataFrame({"country": ["DE", "FR", REST_OF_WORLD], "cs": [3.0, 1.0, 2.0],
                             "joint_partners": [2, 1, 3], "pct_of_international_cs": [50.0, 50 / 3, 100 / 3]})
    spec = charts.hotspot_bars(hotspots, ChartContext(data_version=3), "Somewhere").to_dict()
    _, enc, rows = the_mark(spec, "bar", "x", "pct_of_international_cs")
    assert by(rows, "country", "pct_of_international_cs") == dict(
        zip(hotspots["country"], hotspots["pct_of_international_cs"], strict=False))
    assert enc["y"]["sort"] == ["Germany (DE)", "France (FR)", REST_OF_WORLD]


def test_hotspot_bars_on_a_real_profile(atlas, ctx):
    profile = atlas.profile("Columbia University")
    spec = charts.hotspot_bars(profile.hotspots, ctx, profile.name).to_dict()
    _, _, rows = the_mark(spec, "bar", "x", "pct_of_international_cs")
    assert by(rows, "country", "cs") == dict(zip(profile.hotspots["country"], profile.hotspots["cs"], strict=True))


def _lookup_rows(spec: dict) -> list[dict]:
    """The rows joined onto the outlines by the choropleth layer's lookup transform."""
    for layer in spec["layer"]:
        for step in layer.get("transform", []):
            if "lookup" in step:
                source = step["from"]["data"]
                return source.get("values") or spec["datasets"][source["name"]]
    raise AssertionError("no lookup layer")


def test_world_map_fills_outlines_with_the_values(atlas, ctx, shared_data):
    from collabatlas.refdata.countries import numeric_to_iso2

    df = atlas.partners("US", years=YEARS)
    spec = charts.world_map(df, ctx, "US partners", focus="US").to_dict()
    rows = _lookup_rows(spec)
    assert {r["country"]: r["value"] for r in rows} == dict(zip(df["partner"], df["cs"], strict=True))
    assert all(numeric_to_iso2()[r["id"]] == r["country"] for r in rows)  # joined by ISO numeric id
    geo = [layer for layer in spec["layer"] if layer["mark"]["type"] == "geoshape"]
    outlines = [layer["data"] for layer in geo if "format" in layer.get("data", {})]
    assert outlines and outlines[0]["format"] == {"type": "topojson", "feature": "countries"}
    topo = spec["datasets"][outlines[0]["name"]]
    assert len(topo["objects"]["countries"]["geometries"]) == 177  # Natural Earth 1:110m, packaged
    assert any(layer.get("transform") == [{"filter": "(datum.id === '840')"}] for layer in geo)  # the focus, US
    assert spec["projection"]["type"] == "equalEarth"
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "United States (US) is the focus" in subtitle and "world-110m" in subtitle


def test_world_map_places_countries_without_outlines_as_points():
    small = pd.DataFrame({"partner": ["HK", "MO", "XK", "TW", "PS", "SG", "ZZ"], "cs": [1.0, 2, 3, 4, 5, 6, 7]})
    spec = charts.world_map(small, ChartContext(), "small places").to_dict()
    points = [m for m in marks(spec) if m[0] == "circle"]
    placed = {r["country"] for r in points[0][2]}
    assert placed == {"HK", "MO", "XK", "SG"}  # no outline at 1:110m: a point at the capital
    assert {r["country"] for r in _lookup_rows(spec)} == {"HK", "MO", "TW", "PS", "SG"}  # ISO numeric exists
    assert "not placed (no outline or coordinates): ZZ" in " ".join(spec["title"]["subtitle"])


def test_map_labels_top_five_always_and_never_overlap():
    from collabatlas.views.map_labels import from_pixels, label_box, place_labels, to_pixels

    europe = pd.DataFrame({"label": ["Belgium", "Netherlands", "Luxembourg", "Germany", "France", "Switzerland",
                                     "Austria", "Japan"],
                           "lon": [4.35, 4.9, 6.13, 13.4, 2.35, 7.45, 16.37, 139.7],
                           "lat": [50.85, 52.37, 49.61, 52.52, 48.86, 46.95, 48.21, 35.7],
                           "value": [8.0, 7, 6, 5, 4, 3, 2, 1]})
    kept = place_labels(europe)
    labels = set(kept["label"])
    assert {"Belgium", "Netherlands", "Luxembourg", "Germany", "France"} <= labels  # the five largest, crowded
    assert "Japan" in labels and len(kept) < len(europe)  # a crowded small one is dropped, a free one kept
    assert kept.set_index("label").loc["Belgium", "leader"] == False  # noqa: E712 (the largest sits on its capital)
    assert kept["leader"].any()  # the crowded top five are moved, with a leader line
    boxes = []
    for _, row in kept.iterrows():
        cx, cy = to_pixels(row["label_lon"], row["label_lat"])
        boxes.append(label_box(cx, cy, row["label"]))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    for lon, lat in [(0, 0), (139.7, 35.7), (-74, 40.7), (151.2, -33.9)]:
        assert from_pixels(*to_pixels(lon, lat)) == pytest.approx((lon, lat), abs=1e-6)
    highlighted = place_labels(europe.assign(first=europe["label"] == "Austria"), always=0, limit=1)
    assert list(highlighted["label"]) == ["Austria"]  # a highlighted country comes first and is always kept


def test_map_label_ink_against_fill():
    from collabatlas.views.map_labels import DARK_INK, LIGHT_INK, blues, ink_for

    assert blues(0) == "#cfe1f2" and blues(1) == "#0a4a90"
    assert ink_for(blues(0)) == DARK_INK and ink_for(blues(0.2)) == DARK_INK
    assert ink_for(blues(1)) == LIGHT_INK and ink_for("#000000") == LIGHT_INK


def test_landscape_scatter_points_and_fitted_bands(atlas, ctx):
    from collabatlas.analyses.landscape import bands

    table, fit = atlas.landscape(2008, min_works=1)  # the small sample: every country, to test the chart
    spec = charts.landscape_scatter(table, fit, ctx).to_dict()
    _, enc, rows = the_mark(spec, "circle", "y", "intl_share")
    assert enc["x"]["field"] == "gerd_pct_gdp" and enc["x"]["scale"]["type"] == "log"
    plotted = table.dropna(subset=["intl_share", "gerd_pct_gdp"])
    assert by(rows, "country", "intl_share") == dict(zip(plotted["country"], plotted["intl_share"], strict=True))
    _, _, lines = the_mark(spec, "line", "y", "mean")
    want = bands(table, fit)
    assert [r["mean"] for r in lines] == pytest.approx(list(want["mean"]))
    assert {r["group"] for r in lines} == set(fit.loc[fit["term"].notna(), "group"])
    fitted = fit[fit["term"] == "log_gerd"]
    assert all(f"R² {r2:.2f}" in subtitle(spec) for r2 in fitted["r2"])


def test_empty_input_gives_a_message_chart(ctx):
    empty = pd.DataFrame(columns=["partner", "joint_count", "cs", "pct_of_international_cs"])
    spec = charts.partner_bars(empty, ctx, "Nowhere").to_dict()
    assert the_mark(spec, "text")[2][0]["message"].startswith("Nowhere has no partner")


# -- rendering ----------------------------------------------------------------------------------

def test_render_svg_png_html_json(atlas, ctx, tmp_path):
    chart = charts.partner_bars(atlas.partners("US", top=5), ctx, "United States", top=5)
    png = charts.save(chart, tmp_path / "p.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    root = ET.fromstring(charts.save(chart, tmp_path / "p.svg").read_text())
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    assert "Italy (IT)" in text and "data version" in text
    html = charts.save(chart, tmp_path / "p.html").read_text()
    assert "<script src" not in html.replace(" ", "").lower().replace("<scriptsrc", "<script src")
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html
    assert json.loads(charts.save(chart, tmp_path / "p.json").read_text())["$schema"].startswith(
        "https://vega.github.io/schema/vega-lite/v6")
    with pytest.raises(ValueError, match="unknown chart format"):
        charts.save(chart, tmp_path / "p.gif")


# -- issue 18: readable labels ---------------------------------------------------------------------

def test_human_names_and_no_raw_field_names_in_titles(atlas, ctx):
    from collabatlas.views.chart_text import field_name, group_title, possessive

    assert group_title("bri") == "Belt and Road countries" and group_title("income:high") == "high income economies"
    assert field_name("trust_pct") == "people who trust others, %" and field_name("cs_2013-2015") == "CS 2013-2015"
    assert possessive("companies") == "companies'" and possessive("Japan") == "Japan's"
    report = atlas.group("US", "bri", ["2000-2004", "2005-2009"])
    spec = charts.two_period_circles(report.partners, ctx, "US", "bri").to_dict()
    assert spec["title"]["text"] == "United States and its partners among Belt and Road countries: CS in two periods"
    df = atlas.industry().head(5)
    spec = charts.contribution_bars(df, ctx, "the company", own="own_share", other="academic_share", key="unit",
                                    labels=("company", "academia")).to_dict()
    assert "'s's" not in subtitle(spec) and "companies's" not in subtitle(spec)


def test_contribution_axis_ticks_distinct_and_thin_segments_unlabelled(ctx):
    df = pd.DataFrame({"partner": ["A", "B"], "name": ["Alpha", "Beta"], "own_share": [0.2, 0.01],
                       "partner_share": [0.05, 0.2], "own_pct": [80.0, 100 * 0.01 / 0.21]})  # as SQL gives it
    spec = charts.contribution_bars(df, ctx, "X").to_dict()
    _, enc, rows = the_mark(spec, "bar", "x", "share")
    assert enc["x"]["axis"]["format"] == ",~r"  # 0.05, 0.1, 0.15: never "0.1, 0.1, 0.2"; 100, never "1e+2"
    labels = {(r["partner"], r["side"]): r["pct_label"] for r in rows}
    assert labels[("A", "own contribution")] == "80%" and pd.isna(labels[("B", "own contribution")])  # 5% of a bar


def test_landscape_legend_is_the_dots_and_countries_are_labelled(atlas, ctx):
    table, fit = atlas.landscape(2008, min_works=1)  # the small sample: every country, to test the chart
    spec = charts.landscape_scatter(table, fit, ctx).to_dict()
    legends = [m[1]["color"].get("legend") for m in marks(spec) if "color" in m[1]]
    assert any(lg and lg.get("symbolOpacity") == 1 for lg in legends)  # dots: full colour
    assert sum(1 for m in marks(spec) if m[0] in ("area", "line") and m[1]["color"].get("legend", 0) is None) >= 1
    texts = [m for m in marks(spec) if m[0] == "text"]
    assert texts and all(r["label"] for m in texts for r in m[2])


def test_caption_lines_are_wrapped(atlas, ctx):
    spec = charts.partner_bars(atlas.partners("US", top=5), ctx, "United States", top=5).to_dict()
    assert all(len(line) <= charts.CAPTION_CHARS + 2 for line in spec["title"]["subtitle"])


def test_subject_panels_keep_the_atlas_ranking_of_near_ties(ctx):
    """The subject panels draw each subject's partners in the Atlas's order (ties at 1e-9 by id), not
    re-sorted by raw floats (0.30000000000000004 before 0.3 would put DE before AT)."""
    frame = pd.DataFrame({"partner": ["AT", "DE"], "joint_count": [1, 1], "cs": [0.3, 0.1 + 0.2]})
    spec = charts.subject_small_multiples({"Chemistry": frame}, ctx, "United States").to_dict()
    rows = [r for values in spec["datasets"].values() for r in values]
    assert [r["partner"] for r in rows] == ["AT", "DE"]
