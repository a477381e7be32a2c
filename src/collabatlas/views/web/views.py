"""The dashboard pages: server-rendered HTML (Jinja2 templates in ``web/pages/``) whose controls
re-query the JSON API and re-render the charts in the browser (``pages/dashboard.js`` + vega-embed).

Each page is described here as data — its controls and its panels (a chart spec URL or an API table
URL, and which controls it takes) — and rendered by one template; the defaults of the controls (top
country, top institution, strongest pair, busiest year, two halves of the year span) come from the
store through the same cached Atlas calls as the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from collabatlas.atlas.inputs import DEFAULT_SOURCE, NI_SUBJECTS, ni_subject
from collabatlas.atlas.reference import available_groups
from collabatlas.escaping import script_json
from collabatlas.views.chart_text import FIELD_NAMES
from collabatlas.views.numbers import rules as number_rules
from collabatlas.views.web import factsheets, sources
from collabatlas.views.web.api import service
from collabatlas.views.web.assets import PAGES
from collabatlas.views.web.service import Service

router = APIRouter(include_in_schema=False)
router.include_router(factsheets.router)
templates = jinja2.Environment(loader=jinja2.FileSystemLoader(PAGES), autoescape=True)

FILTERS = "years,window,subject,type"


@dataclass(frozen=True)
class Control:
    name: str
    label: str
    kind: str = "text"  # text | select | unit | checkbox | number
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for selects
    placeholder: str = ""
    help: str = ""
    level_from: str = ""  # unit pickers: the control giving the level, or a fixed level after "="
    bounds: tuple[int, int] | None = None  # numbers: the least and greatest value the API takes


@dataclass(frozen=True)
class Panel:
    title: str
    url: str  # "/api/chart/partners/{unit}": {name} is filled from the control of that name
    params: str  # comma-separated controls sent as query parameters; "partner=b": control b as partner
    kind: str = "chart"  # chart | table
    extra: str = ""  # constant query string
    key: str = ""  # tables: where the rows are in the JSON ("rows" by default)
    wide: bool = False
    paged: bool = False  # tables: previous / next page buttons (the API's page parameter)
    #: the metric or analysis the panel draws (a name of the engines' declarations): with source pairs it
    #: is drawn when the pair engine declares it (sent with source=pairs), else says why not
    needs: str = ""
    works_only: str = ""  # with source pairs and not ``pairs``: why the panel needs work-level data
    pairs_title: str = ""  # the title with source pairs, when the works title names CS
    #: a click on a mark opens the works behind it (``/api/works``): "FOCUS:FIELD" — the control holding the
    #: focus unit and the mark's field holding the partner (":FIELD": the mark's field is the unit itself)
    works: str = ""
    works_level: str = ""  # the level of those works when no level control is sent ("": the level control)
    #: the /api/works parameter the mark's field goes in: ``partner`` (a unit of the works' level) or
    #: ``partner_country`` (an institution's partners in that country: the hotspots)
    works_as: str = "partner"

    @property
    def pairs(self) -> bool:
        """Whether the country-pair engine declares what this panel draws (:attr:`needs`)."""
        return bool(self.needs) and sources.DECLARATIONS["pairs"].supports(self.needs)

    def unapplied(self, page: Page) -> str:
        """The page's filter controls this panel does not take (said on the panel, never silent)."""
        taken = {spec.split("=")[-1] for spec in self.params.split(",")}
        missing = [c.label.lower() for c in page.controls if c in FILTER_CONTROLS and c.name not in taken]
        return f"not applied here: {', '.join(missing)}" if missing else ""

    def pairs_note(self) -> str:
        return self.works_only or ("not available from country-pair aggregates (joint-work counts per country "
                                   "pair and year): switch the source to works")


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    intro: str
    controls: tuple[Control, ...]
    panels: tuple[Panel, ...]
    defaults: dict = field(default_factory=dict)
    factsheet: str = ""  # the fact-sheet button: the control of the focus, "a,b" for a pair
    steps: bool = False  # one panel at a time, paged (linkable: #step-N)
    pairs: str = sources.PAIRS_NOT_HERE  # why the source switch is off on this page ("": it is on)


LEVELS = (("country", "country"), ("institution", "institution"), ("sector", "sector"))
SUBJECTS = (("", "all subjects"),) + tuple((ni_subject(slug), f"{title} (Nature Index)")
                                           for slug, (title, _) in NI_SUBJECTS.items()) + tuple(
    (d, d) for d in ("Life Sciences", "Social Sciences", "Physical Sciences", "Health Sciences"))

YEARS = Control("years", "Years", placeholder="e.g. 2005-2009", help="YYYY or YYYY-YYYY")
WINDOW = Control("window", "Date window", placeholder="2008-07-01..2009-06-30", help="START..END")
SUBJECT = Control("subject", "Subject", "select", SUBJECTS)
TYPE = Control("type", "Work type", placeholder="article,review")
LEVEL = Control("level", "Level", "select", LEVELS)
FILTER_CONTROLS = (YEARS, WINDOW, SUBJECT, TYPE)
#: how many units a chart draws (``collabatlas chart ... --top N``)
TOP = Control("top", "Top N", "number", help="units drawn, 1-100", bounds=(1, 100))


def _pages(groups: tuple[tuple[str, str], ...]) -> dict[str, Page]:
    pages = [
        Page("/", "Overview", "Share of every country on a world map, and the strongest units and pairs.",
             (LEVEL, *FILTER_CONTROLS), (
                 Panel("Share by country", "/api/chart/map", FILTERS, wide=True, works=":country",
                       works_level="country"),
                 Panel("Top units by Share", "/api/scores", "level," + FILTERS, "table", "limit=15"),
                 Panel("Strongest pairs by bilateral CS", "/api/pairs", "level," + FILTERS, "table", "limit=15"),
             )),
        Page("/country", "Country", "A country's partners by bilateral collaboration score (CS), their trends "
             "and subjects.",
             (Control("unit", "Country", "unit", level_from="=country"), *FILTER_CONTROLS, TOP), (
                 Panel("Top partners", "/api/chart/partners/{unit}", "level,top," + FILTERS, extra="level=country",
                       needs="partners", works="unit:partner", works_level="country"),
                 Panel("Partners on the map", "/api/chart/map", "unit," + FILTERS, needs="partners",
                       works="unit:country", works_level="country"),
                 Panel("CS with the top partners per year", "/api/chart/trend/{unit}", "years,subject,type",
                       needs="trend", pairs_title="Joint works with the top partners per year",
                       works="unit:partner", works_level="country"),
                 Panel("Top partners by subject", "/api/chart/subjects/{unit}", "years,window,type", wide=True,
                       works_only="subjects need work-level data: country-pair aggregates have none",
                       works="unit:partner", works_level="country"),
                 Panel("Partners", "/api/partners/{unit}", FILTERS, "table", "top=25", needs="partners"),
                 *_distance_panels("country"),
             ), factsheet="unit", pairs="", defaults={"top": "15"}),
        Page("/institution", "Institution", "An institution's collaboration profile: hotspot countries, own vs "
             "partner contribution, top partners.",
             (Control("unit", "Institution", "unit", level_from="=institution", help="id or part of the name"),
              *FILTER_CONTROLS, TOP), (
                 Panel("Hotspot countries", "/api/chart/hotspots/{unit}", "top," + FILTERS,
                       works="unit:country", works_level="institution", works_as="partner_country"),
                 Panel("Own vs partner contribution", "/api/chart/contribution/{unit}", "top," + FILTERS,
                       works="unit:partner", works_level="institution"),
                 Panel("Headline", "/api/profile/{unit}", FILTERS, "table", key="headline", wide=True),
                 Panel("Top partner institutions", "/api/profile/{unit}", FILTERS, "table", "top=15",
                       key="partners", wide=True),
                 *_distance_panels("institution"),
             ), factsheet="unit", pairs=sources.PAIRS_COUNTRY_ONLY, defaults={"top": "10"}),
        Page("/pair", "Pair explorer", "Pick two units: their bilateral CS per year and per subject.",
             (LEVEL, Control("a", "Unit A", "unit", level_from="level"), Control("b", "Unit B", "unit",
                                                                                  level_from="level"),
              YEARS, SUBJECT, TYPE), (
                 Panel("CS per year", "/api/chart/trend/{a}", "level,years,subject,type,partners=b", needs="trend",
                       pairs_title="Joint works per year", works="a:partner"),
                 Panel("CS by subject", "/api/chart/subjects/{a}", "level,years,type,partner=b",
                       works_only="subjects need work-level data: country-pair aggregates have none",
                       works="a:partner"),
                 Panel("Per year", "/api/trend/{a}/{b}", "level,years,subject,type", "table", wide=True, needs="trend"),
             ), factsheet="a,b", pairs=""),
        Page("/bilateral", "Bilateral", "Two countries' collaboration, one step at a time: headline numbers, the "
             "CS trend, subjects, the top institution pairs and the works behind the numbers.",
             (Control("a", "Country A", "unit", level_from="=country"),
              Control("b", "Country B", "unit", level_from="=country"), YEARS, SUBJECT, TYPE), (
                 Panel("1 · Headline numbers", "/api/pair/{a}/{b}", "years,subject,type", "table", wide=True,
                       needs="bilateral"),
                 Panel("2 · CS trend", "/api/chart/trend/{a}", "years,subject,type,partners=b", wide=True,
                       needs="trend", pairs_title="2 · Joint works trend", works="a:partner", works_level="country"),
                 Panel("3 · Subjects", "/api/chart/subjects/{a}", "years,type,partner=b", wide=True,
                       works="a:partner", works_level="country"),
                 Panel("4 · Top institution pairs", "/api/pair/{a}/{b}/institutions", "years,subject,type", "table",
                       wide=True),
                 Panel("5 · Works", "/api/works/{a}", "years,subject,type,partner=b", "table", "page_size=25",
                       wide=True, paged=True),
             ), factsheet="a,b", steps=True, pairs=""),
        Page("/group", "Group explorer", "A country with a group of countries over periods (e.g. Belt and Road).",
             (Control("country", "Country", "unit", level_from="=country"), Control("group", "Group", "select", groups),
              Control("periods", "Periods", placeholder="2000-2004,2005-2009", help="two or more, comma-separated"),
              SUBJECT, TYPE, TOP), (
                 Panel("Group partners in two periods", "/api/chart/group/{country}", "group,periods,top,subject,type",
                       wide=True, needs="group", works="country:partner", works_level="country"),
                 Panel("Per period", "/api/group/{country}", "group,periods,subject,type", "table", key="periods",
                       wide=True, needs="group"),
                 Panel("Growth", "/api/group/{country}", "group,periods,subject,type", "table", key="growth",
                       needs="group"),
             ), pairs="", defaults={"top": "10"}),
        Page("/network", "Network", "Collaboration network: association strength of CS, Leiden clusters.",
             (LEVEL, *FILTER_CONTROLS, Control("top", "Nodes", "number", help="2-500")), (
                 Panel("Network map", "/api/chart/network", "level,top," + FILTERS, wide=True, needs="network",
                       pairs_title="Network map (joint works)", works=":id"),
                 Panel("Nodes", "/api/network", "level,top," + FILTERS, "table", key="nodes", wide=True,
                       needs="network"),
             ), pairs=""),
        Page("/landscape", "Landscape", "International co-authorship share vs R&D spending (GERD) and trust, "
             "by income group.",
             (Control("year", "Year", "number"), Control("trust", "Also trust", "checkbox"), SUBJECT, TYPE), (
                 Panel("International share vs GERD", "/api/chart/landscape", "year,trust,subject,type", wide=True),
                 Panel("Fits", "/api/landscape", "year,trust,subject,type", "table", key="fit", wide=True),
                 Panel("Countries", "/api/landscape", "year,trust,subject,type", "table", key="countries",
                       wide=True),
             )),
    ]
    return {p.path: p for p in pages}


def _distance_panels(level: str) -> tuple[Panel, ...]:
    """The collaboration-distance section of the country and institution pages (issue 17)."""
    why = "distances need work-level data (institutions and their coordinates)"
    return (Panel("Collaboration distance", "/api/chart/distance/{unit}", "years,subject,type", extra=f"level={level}",
                  works_only=why),
            Panel("Distance per year", "/api/distance/{unit}", "years,subject,type", "table", extra=f"level={level}",
                  works_only=why))


def _defaults(svc: Service) -> dict[str, str]:
    """Control values when the URL gives none, from the store (cached)."""
    out = {"level": "country", "top": "60", "group": "income:high", "source": DEFAULT_SOURCE}
    countries, _, _ = svc.call("scores", level="country")
    if len(countries):
        out["unit"] = out["country"] = str(countries["unit"].iloc[0])
    pairs, _, _ = svc.call("pairs", level="country")
    if len(pairs):
        out["a"], out["b"] = str(pairs["unit_a"].iloc[0]), str(pairs["unit_b"].iloc[0])
    per_year, _, _ = svc.call("works_per_year")
    if len(per_year):
        busiest = per_year.sort_values(["n_works", "year"], ascending=[False, False])
        out["year"] = str(int(busiest["year"].iloc[0]))
        first, last = int(per_year["year"].min()), int(per_year["year"].max())
        middle = (first + last) // 2
        out["periods"] = f"{first}-{middle},{middle + 1}-{last}" if last > first else str(first)
    return out


def _institution_default(svc: Service) -> str:
    institutions, _, _ = svc.call("scores", level="institution")
    return str(institutions["unit"].iloc[0]) if len(institutions) else ""


def _group_options(svc: Service) -> tuple[tuple[str, str], ...]:
    try:
        return tuple((g.name, f"{g.name} — {g.description}") for g in available_groups(svc.data_dir))
    except Exception:
        return (("income:high", "income:high"),)


def _field_names() -> dict[str, str]:
    from collabatlas.views.charts_distance import DISTANCE_FIELD_NAMES

    return {**FIELD_NAMES, **DISTANCE_FIELD_NAMES, **sources.FIELD_NAMES}


def render(request: Request, path: str) -> HTMLResponse:
    svc = service(request)
    page = _pages(_group_options(svc))[path]
    values = {**_defaults(svc), **page.defaults}
    if path == "/institution":
        values["unit"] = _institution_default(svc)
    values.update({k: v for k, v in request.query_params.items() if v is not None})
    source_off = page.pairs or ("" if sources.pair_data(svc) else sources.NO_PAIR_DATA)
    asked = values.get("source")
    if source_off and asked in sources.DECLARATIONS and asked != DEFAULT_SOURCE:  # said, not dropped silently
        source_off += f" (the address asked for source {asked}: showing source {DEFAULT_SOURCE})"
    if source_off:
        values["source"] = DEFAULT_SOURCE
    nav = [(p.path, p.title) for p in _pages(()).values()]
    html = templates.get_template("page.html").render(
        page=page, values=values, nav=nav, store=svc.store_name, field_names=Markup(script_json(_field_names())),
        number_rules=Markup(script_json(number_rules())),
        source_off=source_off, pairs_refused=sources.PAIRS_REFUSED, pair_data=sources.pair_data(svc) or "",
        factsheet_refused=sources.refused(svc, "pairs", "factsheet") if not source_off else "")
    return HTMLResponse(html)


def _page_route(path: str):
    def page(request: Request) -> HTMLResponse:
        return render(request, path)

    page.__name__ = "page_" + (path.strip("/") or "overview")
    return page


for _path in _pages(()):
    router.add_api_route(_path, _page_route(_path), response_class=HTMLResponse, methods=["GET"])


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse("/assets/favicon.svg")
