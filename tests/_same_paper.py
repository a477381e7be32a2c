"""One paper written in the format of every reader (WoS plain text, tab-delimited and BibTeX, Scopus CSV
and BibTeX, PubMed MEDLINE and XML, OpenAlex JSON Lines), built here from a few fields — never a vendor
file — so a test can change one field and ask every reader the same question (:func:`ask_every_reader`)."""

from __future__ import annotations

import json
from pathlib import Path

PAPER = dict(title="Collaboration across borders in modern science research", year="2020", month="Mar", day="15",
             doi="10.1234/ABC.5", journal="Journal of Tests", type="Article", extra={},
             authors=[("Smith, John", "Univ Tokyo, Tokyo, Japan"), ("Muller, Anna", "Univ Oxford, Oxford, England"),
                      ("Ivanov, Ivan", "Univ Oslo, Oslo, Norway")],
             wos="WOS:000123456700001", eid="2-s2.0-85000000099", pmid="31234567", oa="W4000000001")


def _extra(p: dict, name: str) -> dict:
    return p["extra"].get(name, {})


def wos_tagged(p: dict) -> str:
    au = p["authors"]
    lines = ["FN Clarivate Analytics Web of Science", "VR 1.0", "PT J"]
    lines += ["AF " + au[0][0]] + ["   " + a for a, _ in au[1:]]
    lines += ["TI " + p["title"], "SO " + p["journal"], "DT " + p["type"]]
    c1 = [f"[{a}] {addr}." for a, addr in au if addr]
    if c1:
        lines += ["C1 " + c1[0]] + ["   " + c for c in c1[1:]]
    lines += [f"{tag} {value}" for tag, value in _extra(p, "wos").items()]
    lines += [f"PD {p['month'].upper()} {p['day']}", "PY " + p["year"], "DI " + p["doi"], "UT " + p["wos"], "ER", "",
              "EF"]
    return "\n".join(lines) + "\n"


def wos_tab(p: dict) -> str:
    au = p["authors"]
    extra = _extra(p, "wos")
    header = ["PT", "AU", "AF", "TI", "SO", "DT", "C1", "PD", "PY", "DI", "UT", *extra]
    row = ["J", "; ".join(a for a, _ in au), "; ".join(a for a, _ in au), p["title"], p["journal"], p["type"],
           "; ".join(f"[{a}] {addr}" for a, addr in au if addr), f"{p['month'].upper()} {p['day']}", p["year"],
           p["doi"], p["wos"], *extra.values()]
    return "\t".join(header) + "\n" + "\t".join(row) + "\n"


def wos_bibtex(p: dict) -> str:
    au = p["authors"]
    aff = "\n   ".join(f"{a}, {addr}." for a, addr in au if addr)
    return (f"@article{{ {p['wos']},\nAuthor = {{{' and '.join(a for a, _ in au)}}},\nTitle = {{{{{p['title']}}}}},\n"
            f"Journal = {{{{{p['journal']}}}}},\nYear = {{{{{p['year']}}}}},\nMonth = {{{{{p['month'].upper()}}}}},\n"
            f"DOI = {{{{{p['doi']}}}}},\nType = {{{{{p['type']}}}}},\nAffiliation = {{{{{aff}}}}},\n"
            f"Unique-ID = {{{{{p['wos']}}}}},\n}}\n")


def _q(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def scopus_csv(p: dict) -> str:
    au = p["authors"]
    header = ("Authors,Author full names,Title,Year,Source title,DOI,Affiliations,Authors with affiliations,"
              "Document Type,EID")
    affs = "; ".join(dict.fromkeys(addr for _, addr in au if addr))
    awa = "; ".join(f"{a}, {addr}" if addr else a for a, addr in au)
    row = [_q("; ".join(a for a, _ in au)), _q("; ".join(f"{a} ({i})" for i, (a, _) in enumerate(au, 1))),
           _q(p["title"]), _q(p["year"]), _q(p["journal"]), _q(p["doi"]), _q(affs), _q(awa), _q(p["type"]), p["eid"]]
    return header + "\n" + ",".join(row) + "\n"


def scopus_bibtex(p: dict) -> str:
    au = p["authors"]
    affs = "; ".join(dict.fromkeys(addr for _, addr in au if addr))
    return (f"@ARTICLE{{Smith2020,\nauthor={{{' and '.join(a for a, _ in au)}}},\ntitle={{{p['title']}}},\n"
            f"journal={{{p['journal']}}},\nyear={{{p['year']}}},\ndoi={{{p['doi']}}},\naffiliation={{{affs}}},\n"
            f"url={{https://www.scopus.com/inward/record.uri?eid={p['eid']}&partnerID=40}},\n"
            f"document_type={{{p['type']}}},\nsource={{Scopus}},\n}}\n")


def medline(p: dict) -> str:
    lines = ["PMID- " + p["pmid"], f"DP  - {p['year']} {p['month']} {p['day']}".rstrip(), "TI  - " + p["title"] + "."]
    lines += [f"{tag:<4}- {value}" for tag, value in _extra(p, "medline").items()]
    for a, addr in p["authors"]:
        lines += ["FAU - " + a] + (["AD  - " + addr + "."] if addr else [])
    lines += [f"PT  - {t}" for t in p.get("pubmed_types", ["Journal Article"])]
    lines += ["JT  - " + p["journal"], f"LID - {p['doi']} [doi]"]
    return "\n".join(lines) + "\n\n"


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pubmed_xml(p: dict) -> str:
    authors = ""
    for a, addr in p["authors"]:
        last, fore = [x.strip() for x in a.split(",", 1)]
        aff = f"<AffiliationInfo><Affiliation>{_esc(addr)}.</Affiliation></AffiliationInfo>" if addr else ""
        authors += f"<Author><LastName>{_esc(last)}</LastName><ForeName>{_esc(fore)}</ForeName>{aff}</Author>"
    types = "".join(f"<PublicationType>{_esc(t)}</PublicationType>" for t in p.get("pubmed_types", ["Journal Article"]))
    return (f'<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>{p["pmid"]}</PMID>'
            f'{_extra(p, "xml").get("citation", "")}'
            f'<Article><Journal><Title>{_esc(p["journal"])}</Title><JournalIssue><PubDate><Year>{_esc(p["year"])}'
            f'</Year><Month>{p["month"]}</Month><Day>{p["day"]}</Day></PubDate></JournalIssue></Journal>'
            f'<ArticleTitle>{_esc(p["title"])}.</ArticleTitle><AuthorList>{authors}</AuthorList>'
            f'<PublicationTypeList>{types}</PublicationTypeList></Article>'
            f'</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="doi">{_esc(p["doi"])}</ArticleId>'
            f'</ArticleIdList></PubmedData></PubmedArticle>\n</PubmedArticleSet>\n')


_COUNTRIES = {"Japan": "JP", "England": "GB", "Norway": "NO", "France": "FR", "USA": "US"}


def openalex(p: dict) -> str:
    months = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
    authorships = []
    for i, (a, addr) in enumerate(p["authors"]):
        institutions = []
        if addr:
            cc = _COUNTRIES.get(addr.rsplit(", ", 1)[-1])
            institutions = [{"id": f"https://openalex.org/I{abs(hash(addr)) % 10**6}", "display_name": addr,
                             "country_code": cc, "type": "education"}]
        last, fore = [x.strip() for x in a.split(",", 1)] if "," in a else ("", a)
        author = {"id": f"https://openalex.org/A{i + 1}", "display_name": f"{fore} {last}".strip()}
        authorships.append({"author_position": "first" if i == 0 else "middle", "author": author,
                            "institutions": institutions,
                            "countries": [x["country_code"] for x in institutions if x["country_code"]],
                            "raw_affiliation_strings": [addr] if addr else []})
    try:
        date = f"{int(p['year']):04d}-{months[p['month']]:02d}-{int(p['day']):02d}"
    except (ValueError, KeyError):
        date = None
    work = {"id": "https://openalex.org/" + p["oa"], "doi": ("https://doi.org/" + p["doi"]) if p["doi"] else None,
            "title": p["title"], "display_name": p["title"],
            "publication_year": int(p["year"]) if p["year"].isdigit() else p["year"] or None,
            "publication_date": date, "type": p["type"].lower(), "authorships": authorships,
            "updated_date": "2024-01-01T00:00:00",
            "primary_location": {"source": {"id": "https://openalex.org/S1", "display_name": p["journal"]}},
            **_extra(p, "openalex")}
    return json.dumps(work) + "\n"


EXPORT_WRITERS = {"wos.txt": wos_tagged, "wos_tab.txt": wos_tab, "wos.bib": wos_bibtex, "scopus.csv": scopus_csv,
                  "scopus.bib": scopus_bibtex, "pubmed.medline": medline, "pubmed.xml": pubmed_xml}
WRITERS = {**EXPORT_WRITERS, "openalex.jsonl": openalex}


def paper(**changes) -> dict:
    """:data:`PAPER` with some fields changed."""
    return {**PAPER, **changes}


def write_all(folder: Path, p: dict, names=None) -> list[Path]:
    """The paper in every format (or the ``names`` given), one file each in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, fn in WRITERS.items():
        if names is None or name in names:
            (folder / name).write_text(fn(p), encoding="utf-8")
            out.append(folder / name)
    return out


def ask_every_reader(tmp_path: Path, p: dict, sql: str, names=None) -> dict[str, tuple[list, object]]:
    """file name -> (rows of ``sql`` on a store holding only that file, the ingest report)."""
    from collabatlas.atlas import Atlas
    from tests._export_fakes import FakeMatcher

    out = {}
    for f in write_all(tmp_path / "in", p, names):
        atlas = Atlas(":memory:")
        report = atlas.ingest(f, matcher=FakeMatcher())
        out[f.name] = (atlas.con.execute(sql).fetchall(), report)
        atlas.con.close()
    return out
