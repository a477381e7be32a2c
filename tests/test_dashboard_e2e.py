"""End-to-end: the dashboard in real headless Chromium (Debian ``chromium`` driven by Playwright).

``collabatlas serve``'s app runs under uvicorn on a free port in a thread, over a store built from
the real sample. Each page is opened, its charts must render (an ``svg`` inside every vega-embed
container) and its tables fill; then a control is changed, the page must re-query the API and
re-render, and the browser console must have no error. Screenshots go to ``test-artifacts/``.

Without a browser at ``/usr/bin/chromium`` the tests are skipped, except under ``CI=true``, where
they fail (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collabatlas.views.web import create_app
from collabatlas.views.web.assets import vega_bundle

from .browser import launched_browser, served

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
        rows: p.querySelectorAll('.table-container tbody tr').length}))""")


def _check_rendered(panels: list[dict], where: str) -> None:
    for panel in panels:
        assert panel["state"] == "done", f"{where}: {panel['title']}: {panel['status']}"
        if panel["kind"] == "chart":
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
