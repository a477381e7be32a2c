"""Visual checks in real headless Chromium (Debian ``chromium`` driven by Playwright): every dashboard
page, every chart kind and the static report draw non-empty charts whose text does not overlap
(the bounding boxes of the SVG ``text`` elements of each chart are compared), with a clean console;
the download buttons give a PNG, an SVG and a CSV; full screen works; the bilateral page pages
through its steps; the fact sheets (dashboard button and ``report --pdf``) are one-page PDFs
naming the focus. Screenshots go to ``test-artifacts/`` (gitignored).

Without a browser at ``/usr/bin/chromium`` the tests are skipped, except under ``CI=true``, where
they fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.views import charts
from collabatlas.views import report as report_lib
from collabatlas.views.cli import app
from collabatlas.views.web import create_app
from collabatlas.views.web.assets import vega_bundle

from .browser import launched_browser, served
from .webstores import hand_store

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SETTLED = ("() => { const ps = Array.from(document.querySelectorAll('.panel'));"
           " return ps.length > 0 && ps.every(p => ['done', 'error', 'idle'].includes(p.dataset.state)); }")
PAGES = ["/", "/country", "/institution", "/pair", "/bilateral", "/group", "/network", "/landscape"]
#: pairs with joint works in a Nature Index subject (the default pair of the sample has none: its
#: subject chart says so, which is right but not a drawing to check)
QUERY = {"/pair": "?a=US&b=GB", "/bilateral": "?a=US&b=GB"}

#: per SVG root: visible, non-empty text elements whose boxes overlap (by more than a pixel each way),
#: and whether the chart draws any mark besides text (an "empty" chart only writes its message)
CHECK_SVG = """root => {
  const visible = el => {
    for (let e = el; e && e !== root.parentNode; e = e.parentNode) {
      if (!(e instanceof Element)) break;
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
      if (e.getAttribute && (e.getAttribute('opacity') === '0' || e.getAttribute('fill-opacity') === '0')) return false;
    }
    return true;
  };
  const texts = Array.from(root.querySelectorAll('text')).filter(t => t.textContent.trim() && visible(t));
  const boxes = texts.map(t => ({text: t.textContent.trim().slice(0, 60), r: t.getBoundingClientRect()}))
                     .filter(b => b.r.width > 0 && b.r.height > 0);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i].r, b = boxes[j].r;
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1.5 && h > 1.5) overlaps.push(`${boxes[i].text} | ${boxes[j].text} (${w.toFixed(1)}x${h.toFixed(1)})`);
  }
  const marks = root.querySelectorAll(
    'g.mark-rect path, g.mark-symbol path, g.mark-line path, g.mark-area path, g.mark-shape path, \
g.mark-rule line, g.mark-arc path').length;
  return {texts: boxes.length, overlaps, marks};
}"""


@pytest.fixture(scope="module")
def browser():
    yield from launched_browser()


@pytest.fixture(scope="module")
def server(shared_data, sample_store):
    app_ = create_app(sample_store, data_dir=shared_data)
    vega_bundle()
    with served(app_) as url:
        yield url


@pytest.fixture(autouse=True)
def data_env(shared_data, monkeypatch):
    monkeypatch.setenv("COLLABATLAS_DATA", str(shared_data))


class Page:
    """A browser page that records console errors, page errors and requests to other hosts."""

    def __init__(self, browser, origin: str | None = None, **kw):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True, **kw)
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        if origin:
            self.page.on("request", lambda r: self.problems.append(f"remote request: {r.url}")
                         if not r.url.startswith((origin, "data:", "blob:")) else None)

    def __enter__(self):
        return self.page

    def __exit__(self, *exc):
        self.page.close()
        return False


def _check_charts(page, selector: str, where: str, allow_empty: tuple[str, ...] = ()) -> int:
    """Every SVG under ``selector``: marks drawn, no two text boxes overlapping. Returns the number checked."""
    roots = page.query_selector_all(selector)
    for i, root in enumerate(roots):
        got = root.evaluate(CHECK_SVG)
        label = f"{where} chart {i + 1}"
        assert got["texts"] > 0, f"{label}: no text"
        if not any(a in where for a in allow_empty):
            assert got["marks"] > 0, f"{label}: no mark drawn (empty chart)"
        assert not got["overlaps"], f"{label}: overlapping text: {got['overlaps'][:5]}"
    return len(roots)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"visual-{name}.png"), full_page=True)


# -- the dashboard --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_dashboard_page_draws_readable_charts(browser, server, path):
    name = path.strip("/") or "overview"
    wrapper = Page(browser, server)
    with wrapper as page:
        page.goto(server + path + QUERY.get(path, ""))
        page.wait_for_function(SETTLED, timeout=90_000)
        states = page.eval_on_selector_all(".panel", "ps => ps.map(p => [p.querySelector('h2').textContent, "
                                                     "p.dataset.state, p.querySelector('.status').textContent])")
        assert all(state == "done" for _, state, _ in states), states
        steps = page.query_selector_all(".panel") if path == "/bilateral" else [None]
        checked = 0
        for n, _ in enumerate(steps, start=1):
            if path == "/bilateral":  # one step at a time: each must be shown and readable
                page.evaluate(f"location.hash = '#step-{n}'")
                page.wait_for_function(f"document.body.dataset.step === '{n}'")
                visible = page.eval_on_selector_all(".panel", "ps => ps.filter(p => p.offsetParent).map(p => p.id)")
                assert visible == [f"step-{n}"]
            shown = ".panel.current" if path == "/bilateral" else ".panel"
            checked += _check_charts(page, f"{shown} .vega-container > svg", f"{path} step {n}")
            _shot(page, f"{name}-{n}" if path == "/bilateral" else name)
        # a chart with nothing to draw (the distance without geocoded institutions) is a note instead
        assert checked == page.eval_on_selector_all(".panel[data-kind=chart]:not([data-note])", "ps => ps.length")
        for table in page.query_selector_all(".table-container table"):
            heads = table.eval_on_selector_all("th", "hs => hs.map(h => h.textContent)")
            assert not [h for h in heads if "_" in h], f"{path}: raw column names {heads}"
        years = page.eval_on_selector_all("td",
                                          "tds => tds.map(t => t.textContent).filter(t => /^[12],\\d{3}$/.test(t))")
        period_cells = page.evaluate("""() => Array.from(document.querySelectorAll('table')).flatMap(t => {
            const heads = Array.from(t.querySelectorAll('th')).map(h => h.title);
            const col = heads.findIndex(h => /^(year|period)$/.test(h));
            return col < 0 ? [] : Array.from(t.querySelectorAll('tbody tr')).map(r => r.cells[col].textContent); })""")
        assert not [c for c in period_cells if "," in c], f"{path}: years printed with a separator: {years[:5]}"
    assert not wrapper.problems, wrapper.problems  # a clean console, nothing loaded from elsewhere


@pytest.fixture(scope="module")
def hand_server(tmp_path_factory, shared_data):
    """A hand-made store whose institutions have coordinates, and country-pair aggregates."""
    app_ = create_app(hand_store(tmp_path_factory.mktemp("hand") / "hand.duckdb", pairs=True), data_dir=shared_data)
    with served(app_) as url:
        yield url


@pytest.mark.parametrize("path", ["/country?unit=JP", "/institution?unit=I1", "/country?unit=JP&source=pairs"])
def test_distance_and_pair_panels_draw_readably(browser, hand_server, path):
    """The distance bands (issue 17) and the charts drawn from country-pair aggregates (issue 14)."""
    wrapper = Page(browser, hand_server)
    with wrapper as page:
        page.goto(hand_server + path)
        page.wait_for_function(SETTLED, timeout=90_000)
        if "source=pairs" in path:
            shown = ".panel[data-pairs] .vega-container > svg"
            assert _check_charts(page, shown, path) == 3  # partner bars, map and trend lines from the pair data
        else:
            panel = page.query_selector(".panel:has(h2:text-is('Collaboration distance'))")
            assert panel.get_attribute("data-state") == "done" and panel.get_attribute("data-note") is None
            assert _check_charts(page, ".panel:has(h2:text-is('Collaboration distance')) .vega-container > svg",
                                 path) == 1
        _shot(page, "hand-" + re.sub(r"\W+", "-", path.strip("/")))
    assert not wrapper.problems, wrapper.problems


def test_downloads_and_full_screen(browser, server, tmp_path):
    wrapper = Page(browser, server)
    with wrapper as page:
        page.goto(server + "/country")
        page.wait_for_function(SETTLED, timeout=90_000)
        chart = page.query_selector(".panel[data-kind=chart]")
        files = {}
        for action in ("png", "svg", "csv"):
            with page.expect_download() as info:
                chart.query_selector(f"button[data-action={action}]").click()
            target = tmp_path / f"chart.{action}"
            info.value.save_as(target)
            files[action] = target.read_bytes()
            assert info.value.suggested_filename.endswith(f".{action}")
        assert files["png"][:8] == b"\x89PNG\r\n\x1a\n" and len(files["png"]) > 2000
        assert b"<svg" in files["svg"][:400] and b"<text" in files["svg"]
        header = files["csv"].decode().splitlines()[0].split(",")
        assert "partner" in header and "cs" in header and len(files["csv"].decode().splitlines()) > 2
        table = page.query_selector(".panel[data-kind=table]")
        with page.expect_download() as info:
            table.query_selector("button[data-action=csv]").click()
        info.value.save_as(tmp_path / "table.csv")
        assert "partner" in (tmp_path / "table.csv").read_text().splitlines()[0]

        chart.query_selector("button[data-action=fullscreen]").click()
        page.wait_for_function("document.fullscreenElement && document.fullscreenElement.classList.contains('panel')")
        _shot(page, "country-fullscreen")
        page.evaluate("document.exitFullscreen()")
        page.wait_for_function("!document.fullscreenElement")
    assert not wrapper.problems, wrapper.problems


def test_bilateral_steps_are_linkable_and_page(browser, server):
    wrapper = Page(browser, server)
    with wrapper as page:
        page.goto(server + "/bilateral#step-3")
        page.wait_for_function(SETTLED, timeout=90_000)
        assert page.evaluate("document.body.dataset.step") == "3"
        page.click(".steps .step-next")
        page.wait_for_function("location.hash === '#step-4' && document.body.dataset.step === '4'")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.body.dataset.step === '5'")
        works = page.query_selector("#step-5")
        assert works.is_visible() and works.query_selector_all("tbody tr")
        assert "page 1 of" in works.query_selector(".page-info").text_content()
        page.fill("#controls [name=years]", "2000-2009")
        page.press("#controls [name=years]", "Enter")
        page.wait_for_function(SETTLED, timeout=90_000)
        assert page.url.endswith("#step-5") and "years=2000-2009" in page.url
    assert not wrapper.problems, wrapper.problems


# -- fact sheets ------------------------------------------------------------------------------------

def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_pdf_pages_counts_page_objects_not_the_page_tree():
    from collabatlas.views import factsheet

    data = b"<< /Type /Pages /Kids [3 0 R 4 0 R] >> << /Type /Page >> <</Type/Page/Parent 2 0 R>> /Type /PageLabel"
    assert pdf_pages(data) == factsheet.pdf_page_count(data) == 2


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text: ``pdftotext`` when installed, else the document title and any uncompressed or
    Flate-compressed literal strings (a small parser; no PDF library)."""
    if shutil.which("pdftotext"):
        src = tmp_path / "sheet.pdf"
        src.write_bytes(data)
        return subprocess.run(["pdftotext", str(src), "-"], capture_output=True, check=True, text=True).stdout
    found = []
    for m in re.finditer(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)", data):
        raw = m.group(1)
        if raw.startswith(b"<"):
            b = bytes.fromhex(raw[1:-1].decode())
            found.append(b[2:].decode("utf-16-be", "replace") if b[:2] == b"\xfe\xff" else b.decode("latin-1"))
        else:
            body = raw[1:-1]
            if body.startswith(b"\xfe\xff"):
                found.append(body[2:].decode("utf-16-be", "replace"))
            else:
                found.append(body.decode("latin-1"))
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            found.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(found)


def _check_pdf(data: bytes, names: list[str], tmp_path: Path) -> None:
    assert data[:5] == b"%PDF-", data[:20]
    assert pdf_pages(data) == 1, pdf_pages(data)  # one page (issue 27)
    text = pdf_text(data, tmp_path)
    for name in names:
        assert name in text, f"{name!r} not in the PDF's text"


def test_dashboard_fact_sheet_button_gives_a_pdf(browser, server, tmp_path, sample_store):
    with collabatlas.open(sample_store, read_only=True) as atlas:
        pair = atlas.pairs().iloc[0]
    wrapper = Page(browser, server)
    with wrapper as page:
        page.goto(server + "/pair")
        page.wait_for_function(SETTLED, timeout=90_000)
        href = page.get_attribute("#factsheet", "href")
        assert href.startswith("/factsheet.pdf?focus=")
        with page.expect_download(timeout=120_000) as info:
            page.click("#factsheet")
        info.value.save_as(tmp_path / "sheet.pdf")
    data = (tmp_path / "sheet.pdf").read_bytes()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "visual-factsheet-pair.pdf").write_bytes(data)
    _check_pdf(data, [charts.country_name(pair["unit_a"]), charts.country_name(pair["unit_b"])], tmp_path)
    assert not wrapper.problems, wrapper.problems


@pytest.mark.parametrize("kind", ["country", "institution", "pair"])
def test_report_pdf_fact_sheets(browser, sample_store, tmp_path, kind):
    with collabatlas.open(sample_store, read_only=True) as atlas:
        pair = atlas.pairs().iloc[0]
        top = atlas.scores(level="institution").iloc[0]
    a, b = str(pair["unit_a"]), str(pair["unit_b"])
    args = {"country": ["--focus", a, "--no-images"], "institution": ["--focus", str(top["unit"]), "--no-images"],
            "pair": ["--pair", a, b]}[kind]
    out = tmp_path / kind
    result = CliRunner().invoke(app, ["report", *args, "--pdf", "--out", str(out), "--store", str(sample_store)])
    assert result.exit_code == 0, result.output
    pdfs = list(out.glob("factsheet-*.pdf"))
    assert len(pdfs) == 1 and (out / "index.html").exists()
    data = pdfs[0].read_bytes()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"visual-factsheet-{kind}.pdf").write_bytes(data)
    names = {"country": [charts.country_name(a)], "institution": [str(top["name"])],
             "pair": [charts.country_name(a), charts.country_name(b)]}[kind]
    _check_pdf(data, names, tmp_path)
    # the sheet's HTML, as printed: charts drawn, no overlapping text
    from collabatlas.views import factsheet

    with collabatlas.open(sample_store, read_only=True) as atlas:
        focus, partner = (a, b) if kind == "pair" else (args[1], None)
        html = factsheet.render_html(factsheet.build_factsheet(atlas, focus, partner=partner))
    wrapper = Page(browser)
    with wrapper as page:
        page.set_content(html)
        assert _check_charts(page, ".chart > svg", f"fact sheet {kind}") >= (1 if kind == "pair" else 2)
        _shot(page, f"factsheet-{kind}")
    assert not wrapper.problems, wrapper.problems


def test_crowded_fact_sheets_still_print_on_one_page(sample_store, tmp_path):
    """40 partners (every partner of the focus), a long title and long headline labels: the sheet is
    zoomed as a whole (one scale for every chart) until it fits one A4 page."""
    from collabatlas.views import factsheet

    with collabatlas.open(sample_store, read_only=True) as atlas:
        focus = str(atlas.scores(level="country").iloc[0]["unit"])  # the largest country: the most partners
        sheet = factsheet.build_factsheet(atlas, focus, top=40)
        pair = factsheet.build_factsheet(atlas, focus, partner=str(atlas.partners(focus).iloc[0]["partner"]), top=40)
    assert len(sheet.charts[0][1].table) > 8  # more partners than the default sheet shows
    for s in (sheet, pair):
        s.title = "The Democratic Republic of São Tomé and Príncipe and the United Kingdom of Great Britain " * 3
        s.headline = [*s.headline, *[(f"a long headline label number {i} " * 3, "12,345") for i in range(8)]]
        data = factsheet.html_to_pdf(factsheet.render_html(s))
        assert data[:5] == b"%PDF-"
        assert pdf_pages(data) == 1, (s.kind, pdf_pages(data))


# -- every chart kind, and the report ---------------------------------------------------------------

CHART_CASES = {
    "partners": {"unit": "US"}, "trend": {"unit": "US"}, "subjects": {"unit": "US"}, "map": {"unit": "US"},
    "group": {"unit": "US", "periods": ["2000-2004", "2005-2009"]},
    "contribution": {"unit": "Columbia University"}, "hotspots": {"unit": "Columbia University"},
    "landscape": {"year": 2008}, "industry": {}, "ranking": {"level": "institution", "country": "US"},
}


def test_every_chart_kind_renders_readably(browser, sample_store):
    assert set(CHART_CASES) == set(report_lib.KINDS)
    with collabatlas.open(sample_store, read_only=True) as atlas:
        pages = {kind: charts.to_html(report_lib.make_chart(atlas, kind, **kw)) for kind, kw in CHART_CASES.items()}
    for kind, html in pages.items():
        wrapper = Page(browser)
        with wrapper as page:
            page.set_content(html)
            page.wait_for_selector("#vega-chart svg.marks", timeout=30_000)
            assert _check_charts(page, "#vega-chart svg.marks", f"chart {kind}") == 1
            _shot(page, f"chart-{kind}")
        assert not wrapper.problems, (kind, wrapper.problems)


@pytest.mark.parametrize("focus", ["US", "Columbia University"])
def test_report_renders_readably(browser, sample_store, tmp_path, focus):
    with collabatlas.open(sample_store, read_only=True) as atlas:
        built = report_lib.build_report(atlas, focus, command="collabatlas report")
        page_path = report_lib.write_report(built, tmp_path, formats=())[0]
    wrapper = Page(browser, "file://")
    with wrapper as page:
        page.goto(page_path.as_uri())
        n = len(built.all_charts())
        page.wait_for_function(f"document.querySelectorAll('div.chart svg').length === {n}", timeout=60_000)
        assert _check_charts(page, "div.chart > svg", f"report {focus}") == n
        _shot(page, "report-" + re.sub(r"\W+", "-", focus.lower()))
    assert not wrapper.problems, wrapper.problems
