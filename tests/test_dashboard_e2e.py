"""End-to-end: the dashboard in real headless Chromium (Debian ``chromium`` driven by Playwright).

``collabatlas serve``'s app runs under uvicorn on a free port in a thread, over a store built from
the real sample. Each page is opened, its charts must render (an ``svg`` inside every vega-embed
container) and its tables fill; then a control is changed, the page must re-query the API and
re-render, and the browser console must have no error. Screenshots go to ``test-artifacts/``.

Without a browser at ``/usr/bin/chromium`` the tests are skipped, except under ``CI=true``, where
they fail (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from collabatlas.views.web import create_app, sources
from collabatlas.views.web.assets import vega_bundle

from .browser import launched_browser, served
from .webstores import HOSTILE, PAIR_TOTALS, hand_store

pytestmark = pytest.mark.realdata

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SETTLED = ("() => { const ps = Array.from(document.querySelectorAll('.panel'));"
           " return ps.length > 0 && ps.every(p => ['done', 'error', 'idle'].includes(p.dataset.state)); }")

# page → (control, new value, how to set it) for the "change a control" step
CHANGES = {
    "/": ("years", "2000-2009", "fill"),
    "/country": ("years", "2000-2009", "fill"),
    "/institution": ("years", "1990-2009", "fill"),
    "/pair": ("years", "2000-2009", "fill"),
    "/group": ("subject", "ni:life-sciences", "select"),
    "/network": ("level", "institution", "select"),
    "/landscape": ("trust", "true", "check"),
}


@pytest.fixture(scope="module")
def browser():
    yield from launched_browser()


@pytest.fixture(scope="module")
def server(shared_data, sample_store):
    app = create_app(sample_store, data_dir=shared_data)
    vega_bundle()  # built once per process (a few seconds), before the first page asks for it
    with served(app) as url:
        yield url


def _panels(page) -> list[dict]:
    return page.eval_on_selector_all(".panel", """ps => ps.map(p => ({
        title: p.querySelector('h2').textContent, kind: p.dataset.kind, state: p.dataset.state,
        status: p.querySelector('.status').textContent,
        drawn: p.querySelector('.vega-container svg, .vega-container canvas') !== null,
        note: (p.querySelector('.note') || {}).textContent || '', caption: p.querySelector('.caption').textContent,
        heads: Array.from(p.querySelectorAll('th')).map(h => h.textContent),
        cells: Array.from(p.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent)),
        rows: p.querySelectorAll('.table-container tbody tr').length}))""")


def _panel(page, title: str) -> dict:
    return next(p for p in _panels(page) if p["title"] == title)


def _check_rendered(panels: list[dict], where: str) -> None:
    for panel in panels:
        assert panel["state"] == "done", f"{where}: {panel['title']}: {panel['status']}"
        if panel["kind"] == "chart" and panel["note"]:  # nothing to draw (no geocoded institution): said so
            assert not panel["drawn"], f"{where}: {panel['title']}: a note and a chart"
        elif panel["kind"] == "chart":
            assert panel["drawn"], f"{where}: {panel['title']}: no svg/canvas in the vega-embed container"
        else:
            assert panel["rows"] > 0, f"{where}: {panel['title']}: empty table"


@pytest.mark.parametrize("path", list(CHANGES))
def test_page_renders_and_rerenders_on_a_control_change(browser, server, path):
    ARTIFACTS.mkdir(exist_ok=True)
    name = path.strip("/") or "overview"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"remote request: {r.url}")
            if not r.url.startswith(server) and not r.url.startswith("data:") else None)
    try:
        page.goto(server + path)
        page.wait_for_function(SETTLED, timeout=60_000)
        _check_rendered(_panels(page), path)
        page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=True)

        control, value, how = CHANGES[path]
        page.evaluate("document.querySelectorAll('.panel').forEach(p => p.dataset.state = 'stale')")
        selector = f"#controls [name={control}]"
        if how == "fill":
            page.fill(selector, value)
            page.press(selector, "Enter")
        elif how == "select":
            page.select_option(selector, value)
        else:
            page.check(selector)
        page.wait_for_function(SETTLED, timeout=60_000)
        _check_rendered(_panels(page), f"{path} after {control}={value}")
        assert f"{control}={value.replace(':', '%3A')}" in page.url
        page.screenshot(path=str(ARTIFACTS / f"e2e-{name}-{control}.png"), full_page=True)
    finally:
        page.close()
    assert not problems, problems


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url)
    page.wait_for_function(SETTLED, timeout=60_000)
    return page, problems


def _change(page, selector: str, value: str) -> None:
    page.evaluate("document.querySelectorAll('.panel').forEach(p => p.dataset.state = 'stale')")
    page.select_option(selector, value)
    page.wait_for_function(SETTLED, timeout=60_000)


def test_distance_section_says_why_without_geocoded_institutions(browser, server):
    """The sample has no coordinates: the distance chart is a note (not an empty chart), the table is there."""
    page, problems = _open(browser, server + "/country")
    try:
        chart, table = _panel(page, "Collaboration distance"), _panel(page, "Distance per year")
        assert chart["state"] == "done" and not chart["drawn"]
        assert chart["note"].startswith("no geocoded institutions: distance cannot be computed")
        assert "ror load" in chart["note"]
        assert table["rows"] > 0 and "work-level store" in table["caption"] and "no geocoded" in table["caption"]
        assert "median distance (km)" in table["heads"]
    finally:
        page.close()
    assert not problems, problems


@pytest.fixture(scope="module")
def hand_server(tmp_path_factory, shared_data):
    store = hand_store(tmp_path_factory.mktemp("hand") / "hand.duckdb", pairs=True)
    app = create_app(store, data_dir=shared_data)
    with served(app) as url:
        yield url


def test_distance_section_draws_and_names_stay_text(browser, hand_server):
    ARTIFACTS.mkdir(exist_ok=True)
    for path in ("/country?unit=JP", "/institution?unit=I1"):
        page, problems = _open(browser, hand_server + path)
        try:
            chart, table = _panel(page, "Collaboration distance"), _panel(page, "Distance per year")
            assert chart["drawn"] and not chart["note"], path
            assert table["rows"] == 3 and "band of its largest distance" in table["caption"], path
            page.screenshot(path=str(ARTIFACTS / f"e2e-distance-{path.split('?')[0].strip('/')}.png"), full_page=True)
            assert page.evaluate("window.pwned === undefined"), path  # no name ran as markup
            cells = {c for p in _panels(page) for row in p["cells"] for c in row}
            if path.startswith("/institution"):
                assert HOSTILE["I3"] in cells and HOSTILE["I4"] in cells  # shown as the text it is
                assert HOSTILE["I1"] in page.eval_on_selector_all(".vega-container text",
                                                                  "ts => ts.map(t => t.textContent).join(' ')")
        finally:
            page.close()
        assert not problems, (path, problems)


def test_source_switch_changes_the_partners_table_to_pair_counts(browser, hand_server):
    page, problems = _open(browser, hand_server + "/country?unit=JP&subject=Life%20Sciences")
    try:
        works = _panel(page, "Partners")
        assert "bilateral CS" in works["heads"] and "fractional" in works["caption"]
        _change(page, "#controls [name=source]", "pairs")
        assert "source=pairs" in page.url
        pairs = _panel(page, "Partners")
        assert pairs["state"] == "done" and "joint works" in pairs["heads"] and "bilateral CS" not in pairs["heads"]
        column = pairs["heads"].index("joint works")
        shown = {row[0]: row[column] for row in pairs["cells"]}
        assert shown == {k: f"{v:,}" for k, v in PAIR_TOTALS.items()}
        assert sources.COUNTING["pairs"] in pairs["caption"]
        for name in ("subject", "window", "type"):  # refused: disabled with the reason, not silently dropped
            control = page.query_selector(f"#controls [name={name}]")
            assert control.is_disabled() and "not available with source pairs" in control.get_attribute("title")
        note = page.text_content("#source-note")
        assert "not applied" in note and "Life Sciences" in note
        subjects = _panel(page, "Top partners by subject")
        assert subjects["state"] == "idle" and "work-level data" in subjects["note"] and not subjects["drawn"]
        assert _panel(page, "Joint works with the top partners per year")["drawn"]
        assert _panel(page, "Top partners")["drawn"] and _panel(page, "Partners on the map")["drawn"]
        assert "distances need work-level data" in _panel(page, "Collaboration distance")["note"]
        page.screenshot(path=str(ARTIFACTS / "e2e-country-source-pairs.png"), full_page=True)
        table = page.query_selector(".panel:has(h2:text-is('Partners'))")
        with page.expect_download() as info:  # the CSV says where its numbers come from
            table.query_selector("button[data-action=csv]").click()
        csv_rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
        assert {r["partner"]: int(float(r["joint_works"])) for r in csv_rows} == PAIR_TOTALS
        # the pair engine's own source label: the table and its provenance (none recorded for this test table)
        assert {r["source"] for r in csv_rows} == {"country-pair table (ingest-pairs), retrieval date not recorded"}
        assert {r["filters"] for r in csv_rows} == {"all years (no filter)"} and all(r["counting"] for r in csv_rows)
        _change(page, "#controls [name=source]", "works")
        back = _panel(page, "Partners")
        assert "bilateral CS" in back["heads"] and not page.query_selector("#controls [name=subject]").is_disabled()
    finally:
        page.close()
    assert not problems, problems


def test_source_switch_is_off_with_the_reason_where_pairs_cannot_answer(browser, hand_server):
    page, problems = _open(browser, hand_server + "/institution?unit=I1")
    try:
        assert page.query_selector("#controls [name=source]").is_disabled()
        assert "country level only" in page.text_content("#source-note")
    finally:
        page.close()
    page, more = _open(browser, hand_server + "/pair?level=country&a=JP&b=US")
    try:
        assert not page.query_selector("#controls [name=source]").is_disabled()
    finally:
        page.close()
    page, again = _open(browser, hand_server + "/pair?level=institution&a=I1&b=I3&source=pairs")
    more += again
    try:  # the level decides: pairs are country-level, so the switch goes back to works and says why
        switch = page.query_selector("#controls [name=source]")
        assert switch.is_disabled() and switch.input_value() == "works"
        assert "country level only" in page.text_content("#source-note")
        assert "source=works" in page.url
    finally:
        page.close()
    assert not problems + more, problems + more


@pytest.mark.browser
@pytest.mark.parametrize("path", list(CHANGES))
def test_no_horizontal_scroll_on_a_phone(browser, server, path):
    """At a 390 × 844 viewport every page fits its width: wide tables scroll inside their panel,
    charts are sized or scaled to it (document width ≤ 400 px)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    try:
        page.goto(server + path)
        page.wait_for_function(SETTLED, timeout=60_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"e2e-phone-{path.strip('/') or 'overview'}.png"), full_page=True)
        assert width <= 400, f"{path}: the page is {width} px wide at a 390 px viewport"
    finally:
        page.close()
    assert not problems, problems


@pytest.mark.browser
def test_dois_are_links_and_stay_text(browser, server):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.goto(server + "/")
        page.wait_for_function(SETTLED, timeout=60_000)
        link = page.evaluate("""() => { const a = doiLink('10.1000/x"><img src=y onerror="window.pwned=1">');
            const td = document.createElement('td'); td.appendChild(a); document.body.appendChild(td);
            return {href: a.href, text: a.textContent, html: td.innerHTML}; }""")
        assert link["href"] == "https://doi.org/10.1000/x%22%3E%3Cimg%20src%3Dy%20onerror%3D%22window.pwned%3D1%22%3E"
        assert link["text"] == '10.1000/x"><img src=y onerror="window.pwned=1">' and "<img" not in link["html"]
        hostile = page.evaluate("doiLink('javascript:alert(1)').href")
        assert hostile.startswith("https://doi.org/")  # the target cannot leave doi.org
        assert page.evaluate("doiLink('https://doi.org/10.5/ab').href") == "https://doi.org/10.5/ab"
        assert page.evaluate("window.pwned === undefined")
    finally:
        page.close()
