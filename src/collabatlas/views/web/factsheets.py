"""The dashboard's bilateral page data and its fact-sheet button.

- ``/api/pair/{a}/{b}``: the pair's headline numbers (:func:`collabatlas.views.bilateral.headline`);
- ``/api/pair/{a}/{b}/institutions``: the strongest institution pairs of two countries;
- ``/factsheet.pdf?focus=…[&partner=…]``: the PDF fact sheet (:mod:`collabatlas.views.factsheet`), 503 with
  the reason when Playwright or Chromium is missing.

Both follow the page's ``source``: the headline from the country-pair table gives what that table can
(joint works, each country's internationally co-authored works, the exact share of those with the other
country, the partner ranks); a fact sheet is refused (422, with the reason) by a source whose engine does
not declare it — never a works-based sheet under a pairs page.

The numbers come from the same cached Atlas calls as the JSON API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from collabatlas.views import charts, numbers
from collabatlas.views.bilateral import headline, headline_rows, institution_countries, institution_pairs
from collabatlas.views.web import sources
from collabatlas.views.web.api import (
    Source,
    SourceQ,
    SubjectQ,
    TypeQ,
    UnitP,
    YearsQ,
    json_response,
    meta,
    records,
    service,
)

router = APIRouter(include_in_schema=False)


def _filters(years, subject, type_) -> dict:
    return {"years": years, "subject": subject, "type": type_}


@router.get("/api/pair/{a}/{b}")
def pair_headline(request: Request, a: UnitP, b: UnitP, years: YearsQ = None, subject: SubjectQ = None,
                  type_: TypeQ = None, source: SourceQ = Source.works) -> Response:
    svc = service(request)
    atlas = svc.atlas()
    engine = atlas.engine_for(source.value)
    engine.capabilities.require("bilateral", level="country", subject=subject, type=type_)
    if hasattr(engine, "pair_headline"):  # the engine answers from its own table (the country-pair table)
        params = {"a": a.strip().upper(), "b": b.strip().upper(), "years": years, "source": source}
        (rows, named), _, version = svc.run("pair_headline", params, lambda at, p: _pair_rows(at, p))
        return json_response({"meta": {**meta("pair", params, version, source_label=named), "endpoint": "pair",
                                       "rows": len(rows), "returned": len(rows)},
                              "columns": ["figure", "value"], "rows": rows})
    ua, ub = atlas.resolve_unit("country", a), atlas.resolve_unit("country", b)
    filters = _filters(years, subject, type_)
    pa, _, version = svc.call("partners", unit=ua, level="country", **filters)
    pb, _, _ = svc.call("partners", unit=ub, level="country", **filters)
    rows = headline_rows(headline(pa, pb, ua, ub, charts.country_name(ua), charts.country_name(ub)))
    params = {"a": ua, "b": ub, **filters, "source": source}  # where the numbers come from, as every answer says
    return json_response({"meta": {**meta("pair", params, version), "rows": len(rows), "returned": len(rows)},
                          "columns": ["figure", "value"], "rows": rows})


def _pair_rows(atlas, p: dict) -> tuple[list[dict], str]:
    """The headline of two countries from the pair engine: ``figure, value`` rows and the source label."""
    engine = atlas.engine_for(p["source"].value if hasattr(p["source"], "value") else p["source"])
    a, b = p["a"], p["b"]
    h = engine.pair_headline(a, b, p.get("years"))
    name_a, name_b = charts.country_name(a), charts.country_name(b)
    # each value written by the rule of its quantity, as the work-level headline writes its figures
    # (bilateral.headline: text), so a % reads 18.8 from either source, never 18.813
    rows = [(f"joint works {name_a}–{name_b} ({engine.capabilities.counting_label})",
             numbers.figure("joint_works", h["joint_works"])),
            (f"{name_a}: internationally co-authored works", numbers.figure("intl_works", h["intl_works_a"])),
            (f"{name_b}: internationally co-authored works", numbers.figure("intl_works", h["intl_works_b"])),
            (f"% of {name_a}'s international works with {name_b}", numbers.figure("pct", h["pct_of_intl_a"])),
            (f"% of {name_b}'s international works with {name_a}", numbers.figure("pct", h["pct_of_intl_b"])),
            (f"rank of {name_b} among {name_a}'s partners", numbers.figure("rank", h["rank_in_a"])),
            (f"rank of {name_a} among {name_b}'s partners", numbers.figure("rank", h["rank_in_b"]))]
    return [{"figure": f, "value": v} for f, v in rows], engine.capabilities.source_label


@router.get("/api/pair/{a}/{b}/institutions")
def pair_institutions(request: Request, a: UnitP, b: UnitP, years: YearsQ = None, subject: SubjectQ = None,
                      type_: TypeQ = None, top: Annotated[int, Query(ge=1, le=100)] = 15) -> Response:
    svc = service(request)
    atlas = svc.atlas()
    ua, ub = atlas.resolve_unit("country", a), atlas.resolve_unit("country", b)
    pairs, _, version = svc.call("pairs", level="institution", **_filters(years, subject, type_))
    countries, _, _ = svc.run("institution_countries", {}, lambda at, _p: institution_countries(at))
    df = institution_pairs(pairs, countries, ua, ub, top=top)
    return json_response({"meta": {"endpoint": "pair_institutions", "data_version": version, "rows": len(df),
                                   "returned": len(df)}, "columns": list(df.columns), "rows": records(df)})


@router.get("/factsheet.pdf")
def factsheet_pdf(request: Request, focus: Annotated[str, Query(min_length=1, max_length=200, pattern=r"\S")],
                  partner: Annotated[str | None, Query(max_length=200)] = None, years: YearsQ = None,
                  subject: SubjectQ = None, type_: TypeQ = None, source: SourceQ = Source.works) -> Response:
    from collabatlas.views import factsheet

    svc = service(request)
    # the sheet follows the page's source: refused by its declaration (422, the reason), never drawn from works
    sources.capabilities(svc, source.value).require("factsheet")
    params = {"focus": focus, "partner": partner or None, **_filters(years, subject, type_)}

    def compute(atlas, p):
        sheet = factsheet.build_factsheet(atlas, p["focus"], partner=p.get("partner"), years=p.get("years"),
                                          subject=p.get("subject"), type=p.get("type"))
        return factsheet.file_stem(sheet), factsheet.html_to_pdf(factsheet.render_html(sheet))

    try:
        (stem, pdf), _, _ = svc.run("factsheet", params, compute)
    except factsheet.FactSheetError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=503)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'})
