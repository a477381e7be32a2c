"""The OpenAlex staging and attribution statements, written once: OpenAlex work records → work rows,
authorship rows, affiliation rows, author-country rows, institution rows, and the dedupe of work
copies. DuckDB runs them as written (:mod:`collabatlas.sources.openalex_staging`); Spark runs them
rendered by sqlglot with the record contract's macros inlined (:mod:`collabatlas.engines.spark_ingest`
through :func:`collabatlas.engines.spark_macros.render_shared`), the path the counting statements take.

Only the reading of the JSON differs, and that difference is one reader select list per engine
(:data:`DUCKDB_WORKS_READER`, :data:`SPARK_WORKS_READER`): DuckDB reads the loosely typed values
(``publication_year``, ``cited_by_count``, ``fwci``…) as raw JSON and checks their JSON type; Spark
reads them as text. Each reader gives the same relation, ``raw_input`` (:data:`RAW_INPUT_COLUMNS`),
with those values already checked (a whole number, a number, a JSON ``true``) — everything after it
is shared (DuckDB's reader also checks the work id once, ``wid``, which DuckDB's forms of the skips and
of the kept works read; DuckDB's forms are derived from the statements written here, each beside it).
The ISSN check is :func:`collabatlas.counting.issn.issn_values` on both engines (DuckDB:
its SQL form ``issn_rows_sql``; Spark: a UDF of the Python form); each gives ``raw_issns``.

Relations, in the order they are built (each statement's header says what one row is):
``raw_input`` → ``raw_works`` (:data:`KEPT_WORKS_SQL`) → work rows (:data:`WORK_ROWS_SQL`) and
``raw_authorships`` (:data:`AUTHORSHIPS_PASS_SQL`) → authorship, affiliation and author-country rows,
``raw_institutions`` (:data:`INSTITUTION_COPIES_SQL`) → institution rows. The DuckDB ingest then
merges the staged rows into its store (:mod:`collabatlas.ingest.merge`); the Spark ingest keeps per
work id the copy :data:`WINNERS_SQL` picks, the rule the merge applies when nothing is stored.

Known differences on malformed values (Spark's JSON reader gives a loosely typed value as text
without its JSON type): a publication year, citation count or ``fwci`` written as a JSON *string* of a
number, and ``is_authors_truncated`` / ``is_in_top_10_percent`` written as the string ``"true"``, are
taken by the Spark reader as the number / boolean, where DuckDB's takes them as not given.
"""

from __future__ import annotations

from collabatlas.sources.record import REASONS

#: the columns both readers give (``rid`` orders the records of one ingest: file order, then line)
RAW_INPUT_COLUMNS = (
    "rid", "id", "doi", "display_name", "publication_date", "type", "updated_date", "primary_location",
    "primary_topic", "authorships", "n_authorships", "py", "py_given", "pd", "ud", "cited", "cited_given",
    "fwci_number", "fwci_given", "truncated", "truncated_bad", "top10", "top10_bad", "issn_given",
)  # DuckDB's reader adds ``wid`` (DUCKDB_WORKS_READER)

#: DuckDB's reader: the select list over ``read_json`` (raw JSON values checked by their JSON type;
#: ``json_whole`` and ``issn_json`` are the reader's macros, :mod:`collabatlas.sources.openalex_staging`),
#: and the checked work id ``wid``, which DuckDB's forms of the skips and of :data:`KEPT_WORKS_SQL` read
#: (:data:`DUCKDB_SKIPS`, :data:`KEPT_WORKS_DUCKDB_SQL`) instead of checking the id again on every pass
#: over ``raw_works`` (200k works: five passes, 0.6 CPU-s)
DUCKDB_WORKS_READER = """
    id, doi, display_name, publication_date, type, updated_date, primary_location, primary_topic, authorships,
    len(authorships) AS n_authorships,
    json_whole(publication_year) AS py, publication_year IS NOT NULL AS py_given,
    TRY_CAST(publication_date AS DATE) AS pd, TRY_CAST(updated_date AS TIMESTAMP) AS ud,
    json_whole(cited_by_count) AS cited,
    cited_by_count IS NOT NULL AND json_type(cited_by_count) <> 'NULL' AS cited_given,
    CASE WHEN json_type(fwci) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN TRY_CAST(fwci::VARCHAR AS DOUBLE) END
        AS fwci_number,
    fwci IS NOT NULL AND json_type(fwci) <> 'NULL' AS fwci_given,
    is_authors_truncated::VARCHAR = 'true' AS truncated,
    is_authors_truncated IS NOT NULL AND json_type(is_authors_truncated) <> 'BOOLEAN' AS truncated_bad,
    CASE WHEN json_type(citation_normalized_percentile->'$.is_in_top_10_percent') = 'BOOLEAN'
         THEN (citation_normalized_percentile->'$.is_in_top_10_percent')::VARCHAR = 'true' END AS top10,
    (citation_normalized_percentile->'$.is_in_top_10_percent') IS NOT NULL
        AND json_type(citation_normalized_percentile->'$.is_in_top_10_percent') NOT IN ('NULL', 'BOOLEAN')
        AS top10_bad,
    CASE WHEN primary_location.source IS NOT NULL THEN issn_json(primary_location.source.issn) END AS issn_given,
    ca_work_id(id) AS wid
"""

#: Spark's reader: the select list over the JSON read with the schema of the same spec (a loosely
#: typed value arrives as its text; ``_NUMBER`` is a JSON number's text), from ``raw_read``
_NUMBER = "'^-?[0-9]+(\\\\.[0-9]+)?([eE][-+]?[0-9]+)?\\\\z'"


def _spark_whole(col: str) -> str:
    """A value read as text: a whole number (``2020``, ``2020.0``, ``"2020"``) as BIGINT, else NULL."""
    number = f"TRY_CAST(trim({col}) AS DOUBLE)"
    return (f"CASE WHEN trim({col}) RLIKE '^-?[0-9]{{1,18}}\\\\z' THEN TRY_CAST(trim({col}) AS BIGINT) "
            f"WHEN {col} RLIKE {_NUMBER} AND abs({number}) < 1e15 "
            f"AND {number} = floor({number}) THEN CAST({number} AS BIGINT) END")


_TOP10 = "get_json_object(citation_normalized_percentile, '$.is_in_top_10_percent')"
SPARK_WORKS_READER = f"""
    id, doi, display_name, publication_date, type, updated_date, primary_location, primary_topic, authorships,
    CASE WHEN authorships IS NOT NULL THEN size(authorships) END AS n_authorships,
    {_spark_whole('publication_year')} AS py, publication_year IS NOT NULL AS py_given,
    CASE WHEN trim(publication_date) RLIKE '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}\\\\z'
         THEN TRY_CAST(trim(publication_date) AS DATE) END AS pd,
    TRY_CAST(updated_date AS TIMESTAMP_NTZ) AS ud,
    {_spark_whole('cited_by_count')} AS cited, cited_by_count IS NOT NULL AS cited_given,
    CASE WHEN fwci RLIKE {_NUMBER} THEN TRY_CAST(fwci AS DOUBLE) END AS fwci_number,
    fwci IS NOT NULL AS fwci_given,
    is_authors_truncated = 'true' AS truncated,
    is_authors_truncated IS NOT NULL AND is_authors_truncated NOT IN ('true', 'false') AS truncated_bad,
    CASE {_TOP10} WHEN 'true' THEN true WHEN 'false' THEN false END AS top10,
    {_TOP10} IS NOT NULL AND {_TOP10} NOT IN ('true', 'false') AS top10_bad,
    CASE WHEN primary_location.source.issn IS NULL THEN NULL
         WHEN primary_location.source.issn LIKE '[%' THEN from_json(primary_location.source.issn, 'ARRAY<STRING>')
         ELSE array(primary_location.source.issn) END AS issn_given
"""

#: the contract's skips on a raw work record, in its order (collabatlas.sources.record.REASONS): each
#: condition holds for the records it skips that no earlier one skipped (:func:`skip_case`)
NO_ID = "nullif(trim(id, ' '), '') IS NULL"
YEAR_OUT = "(py IS NOT NULL AND ca_year_ok(py) IS NULL AND ca_year_ok(year(pd)) IS NULL)"
SKIPS = {
    "no-id": NO_ID,
    "bad-id": "ca_work_id(id) IS NULL",
    "no-authors": "coalesce(n_authorships, 0) = 0",
    "year-range": YEAR_OUT,
}


#: :data:`SKIPS` as DuckDB checks them (its reader gives the checked work id, ``wid``)
DUCKDB_SKIPS = {**SKIPS, "bad-id": "wid IS NULL"}


def skip_case(skips: dict[str, str] = SKIPS) -> str:
    """An expression over ``raw_input``: the code of the first skip a record meets (NULL: kept)."""
    return "CASE " + " ".join(f"WHEN {cond} THEN '{code}'" for code, cond in skips.items()) + " END"


KEPT_WORKS_SQL = f"""
-- each row represents one work record kept (a valid work id, authorships, a plausible year or date),
-- with its values checked: the year and date in range, the update time, citations, fwci
SELECT rid, ca_work_id(id) AS wid, py, ca_year_ok(py) AS year_ok,
       CASE WHEN ca_year_ok(year(pd)) IS NOT NULL THEN pd END AS pd_ok,
       ud, py_given, publication_date, updated_date, truncated, truncated_bad, doi, display_name, type,
       primary_location, primary_topic, authorships, n_authorships, issn_given,
       top10, top10_bad, cited_given, fwci_given,
       CASE WHEN cited >= 0 THEN cited END AS cited_ok,
       CASE WHEN fwci_number BETWEEN 0 AND 1e300 THEN fwci_number END AS fwci_ok
FROM raw_input
WHERE ca_work_id(id) IS NOT NULL AND coalesce(n_authorships, 0) > 0 AND NOT {YEAR_OUT}
"""

#: :data:`KEPT_WORKS_SQL` as DuckDB runs it: the work id as its reader checked it (``wid``)
KEPT_WORKS_DUCKDB_SQL = (KEPT_WORKS_SQL.replace("SELECT rid, ca_work_id(id) AS wid,", "SELECT rid, wid,")
                         .replace("WHERE ca_work_id(id) IS NOT NULL", "WHERE wid IS NOT NULL"))
assert "ca_work_id" not in KEPT_WORKS_DUCKDB_SQL, "the kept works' id check changed"

#: the value checks on a kept record, each a counted warning (the record is kept)
WORK_WARNINGS = {
    REASONS["year-not-number"]: "py_given AND py IS NULL",
    REASONS["year-from-date"]: "py IS NOT NULL AND year_ok IS NULL",
    REASONS["date-invalid"]: "publication_date IS NOT NULL AND pd_ok IS NULL",
    REASONS["year-date-disagree"]: "year_ok IS NOT NULL AND pd_ok IS NOT NULL AND year(pd_ok) <> year_ok",
    REASONS["updated-invalid"]: "updated_date IS NOT NULL AND ud IS NULL",
    REASONS["truncated-flag"]: "truncated_bad",
    # citations (collabatlas.counting.impact): a bad value is stored as empty, so the work is not
    # eligible for the impact indicators that need it
    "cited_by_count not a whole number >= 0 (stored as empty)": "cited_given AND cited_ok IS NULL",
    "fwci not a number >= 0 (stored as empty)": "fwci_given AND fwci_ok IS NULL",
    "citation_normalized_percentile.is_in_top_10_percent not a boolean (stored as empty)": "top10_bad",
    REASONS["authors-truncated"]: "coalesce(truncated, false)",
    REASONS["doi-invalid"]: "ca_doi_invalid(doi)",
    REASONS["text-cleaned"]:
        "(ca_clean(display_name) IS DISTINCT FROM display_name AND ca_dirty(display_name)) "
        "OR ca_dirty(primary_location.source.display_name)",
}

#: the stage_works columns, in order (collabatlas.ingest.staging)
WORK_COLUMNS = ("rid, work_id, doi, title, year, pub_date, type, source_id, source_name, domain_id, domain, "
                "field_id, field, subfield_id, subfield, n_authors, updated_date, origin, authors_truncated, "
                "issn_l, issns, citations, fwci, top10")

WORK_ROWS_SQL = r"""
-- each row represents one work record kept: its identifiers, title, year, type, journal (with its
-- checked ISSNs), primary topic, number of authorships, update time and citations
SELECT rid, wid AS work_id, ca_doi(doi) AS doi, ca_clean(display_name) AS title,
       CAST(coalesce(year_ok, year(pd_ok)) AS INTEGER) AS year, pd_ok AS pub_date, type,
       ca_oa_id(primary_location.source.id) AS source_id, ca_clean(primary_location.source.display_name)
           AS source_name,
       nullif(regexp_extract(primary_topic.domain.id, '(\d+)$'), '') AS domain_id,
       primary_topic.domain.display_name AS domain,
       nullif(regexp_extract(primary_topic.field.id, '(\d+)$'), '') AS field_id,
       primary_topic.field.display_name AS field,
       nullif(regexp_extract(primary_topic.subfield.id, '(\d+)$'), '') AS subfield_id,
       primary_topic.subfield.display_name AS subfield,
       n_authorships AS n_authors, ud AS updated_date, 'openalex' AS origin,
       coalesce(truncated, false) AS authors_truncated, i.issn_l AS issn_l, i.issns AS issns,
       cited_ok AS citations, fwci_ok AS fwci, top10
FROM raw_works LEFT JOIN raw_issns i USING (rid)
"""

AUTHORSHIPS_PASS_SQL = """
-- each row represents one authorship of a kept work (positions from 1): its author, the distinct
-- valid institution ids and author countries it lists (lists without repeats), the institutions as
-- given, and the counts the ingest report needs. A null authorship entry is an author with no known
-- affiliation; a null list is an empty list
SELECT rid, work_id, updated_date, author_position, author_id, ca_clean(raw_name) AS author_name,
       -- the removal check runs only on the names cleaning changed
       CASE WHEN ca_clean(raw_name) IS DISTINCT FROM raw_name THEN ca_dirty(raw_name) ELSE false END
           AS dirty_name,
       coalesce(list_distinct(list_filter(institution_ids, lambda x: x IS NOT NULL)), []) AS institution_ids,
       coalesce(list_distinct(list_filter(mapped, lambda c: c IS NOT NULL)), []) AS countries,
       coalesce(array_length(list_filter(a_countries, lambda c: c IS NOT NULL))
                - array_length(list_filter(mapped, lambda c: c IS NOT NULL)), 0) AS bad_countries,
       null_entry, institutions
FROM (SELECT rid, wid AS work_id, ud AS updated_date, author_position, ca_oa_id(a.author.id) AS author_id,
             a.author.display_name AS raw_name,
             list_transform(a.institutions, lambda i: ca_oa_id(i.id)) AS institution_ids,
             a.countries AS a_countries, list_transform(a.countries, lambda c: ca_country(c)) AS mapped,
             a.author IS NULL AND a.institutions IS NULL AND a.countries IS NULL AS null_entry,
             a.institutions AS institutions
      FROM raw_works, unnest(authorships) WITH ORDINALITY AS u(a, author_position))
"""

#: the FROM clause of :data:`AUTHORSHIPS_PASS_SQL` as written (Spark renders it to ``posexplode``) and
#: the form DuckDB runs: as a lateral join DuckDB carries each work's whole row (its nested authorships
#: included) per authorship — measured at 200k works, idle: ingest 14.1 → 17.3 s, peak RSS 1.3 → 2.0 GB.
#: Both give the same rows (tests/test_spark_ingest_render.py)
_LATERAL_UNNEST = "FROM raw_works, unnest(authorships) WITH ORDINALITY AS u(a, author_position))"
_SELECT_LIST_UNNEST = ("FROM (SELECT rid, wid, ud, unnest(authorships) AS a, "
                       "generate_subscripts(authorships, 1) AS author_position FROM raw_works))")
#: DuckDB's pass leaves out the institutions as given (:data:`INSTITUTION_COPIES_DUCKDB_SQL` takes them from
#: ``raw_works``): carrying each authorship's nested list into a table read once cost more than unnesting
#: the works' authorships again — 200k works, the two statements 4.6 -> 4.3 CPU-s, less memory
_WITH_INSTITUTIONS = "null_entry, institutions\nFROM"
#: ``list_distinct`` (a hash table per list) only for the lists of two or more: an authorship lists one
#: institution and one country as a rule, and a list of one is its own distinct list (NULLs are filtered
#: first either way) — 200k works, the pass 2.4-2.6 -> 2.1-2.2 CPU-s, the same rows
_DISTINCT = {name: (f"coalesce(list_distinct(list_filter({name}, lambda {x}: {x} IS NOT NULL)), [])",
                    f"coalesce(CASE WHEN len({name}) <= 1 THEN list_filter({name}, lambda {x}: {x} IS NOT NULL) "
                    f"ELSE list_distinct(list_filter({name}, lambda {x}: {x} IS NOT NULL)) END, [])")
             for name, x in (("institution_ids", "x"), ("mapped", "c"))}
#: :data:`AUTHORSHIPS_PASS_SQL` in the form DuckDB runs (the unnest in the select list)
AUTHORSHIPS_PASS_DUCKDB_SQL = (AUTHORSHIPS_PASS_SQL.replace(_LATERAL_UNNEST, _SELECT_LIST_UNNEST)
                               .replace(_WITH_INSTITUTIONS, "null_entry\nFROM"))
for _written, _duck in _DISTINCT.values():
    assert AUTHORSHIPS_PASS_DUCKDB_SQL.count(_written) == 1, "the authorship pass's distinct lists changed"
    AUTHORSHIPS_PASS_DUCKDB_SQL = AUTHORSHIPS_PASS_DUCKDB_SQL.replace(_written, _duck)
assert AUTHORSHIPS_PASS_DUCKDB_SQL.count("null_entry\nFROM") == 1, "the authorship pass's last column changed"
assert _LATERAL_UNNEST not in AUTHORSHIPS_PASS_DUCKDB_SQL, "the authorship pass's FROM clause changed"

AUTHORSHIP_ROWS_SQL = """
-- each row represents one authorship: its author and how many institutions and countries it lists
SELECT rid, work_id, author_position, author_id, author_name, array_length(institution_ids) AS n_institutions,
       array_length(countries) AS n_countries
FROM raw_authorships
"""

AFFILIATION_ROWS_SQL = """
-- each row represents one (authorship, institution) link: a listed institution of an authorship
SELECT rid, work_id, author_position, unnest(institution_ids) AS institution_id
FROM raw_authorships WHERE array_length(institution_ids) > 0
"""

AUTHOR_COUNTRY_ROWS_SQL = """
-- each row represents one (authorship, country) attribution: a country the authorship lists
SELECT rid, work_id, author_position, unnest(countries) AS country_code
FROM raw_authorships WHERE array_length(countries) > 0
"""

INSTITUTION_COPIES_SQL = """
-- each row represents one institution id (or, NULL, the copies without a valid one) among the
-- institutions the kept works list: the copy in the most recently updated work (a work without an
-- update time counts as newest, then the later record), how many copies, how many with a malformed id
SELECT iid, max_by(rid, struct_pack(no_date := updated_date IS NULL, updated_date := updated_date, rid := rid))
           AS rid,
       max_by(i, struct_pack(no_date := updated_date IS NULL, updated_date := updated_date, rid := rid)) AS i,
       max(updated_date) AS updated_date, count(*) AS n,
       count(*) FILTER (WHERE iid IS NULL AND nullif(trim(i.id, ' '), '') IS NOT NULL) AS n_bad
FROM (SELECT ca_oa_id(i.id) AS iid, rid, updated_date, i
      FROM (SELECT rid, updated_date, unnest(institutions) AS i
            FROM raw_authorships WHERE array_length(institutions) > 0))
GROUP BY iid
"""

#: the FROM clause of :data:`INSTITUTION_COPIES_SQL` as written (over the authorship pass) and the form
#: DuckDB runs (over the kept works, their authorships unnested in the select list; the same copies)
_COPIES_FROM_PASS = """FROM (SELECT rid, updated_date, unnest(institutions) AS i
            FROM raw_authorships WHERE array_length(institutions) > 0))"""
_COPIES_FROM_WORKS = """FROM (SELECT rid, updated_date, unnest(institutions) AS i
            FROM (SELECT rid, ud AS updated_date, unnest(authorships).institutions AS institutions FROM raw_works)
            WHERE array_length(institutions) > 0))"""
#: :data:`INSTITUTION_COPIES_SQL` over the kept works (beside :data:`AUTHORSHIPS_PASS_DUCKDB_SQL`): the form the
#: one below is checked against (tests/test_spark_ingest_render.py)
INSTITUTION_COPIES_OVER_WORKS_SQL = INSTITUTION_COPIES_SQL.replace(_COPIES_FROM_PASS, _COPIES_FROM_WORKS)
assert INSTITUTION_COPIES_OVER_WORKS_SQL != INSTITUTION_COPIES_SQL, "the institution copies' FROM clause changed"

#: :data:`INSTITUTION_COPIES_SQL` in the form DuckDB runs: the same rows, in two steps. The newest copy's
#: key (update time, record) is found per id *as written* (each distinct id string goes through the id rule
#: once: ≈ 20,000 at 200k works, against ≈ 1.3M listings) and then per normalised id, carrying only the key;
#: the winning copy itself is then taken from the winning works alone (their first listing of the id, as
#: ``max_by`` keeps the first of equal keys; the copies without a valid id alike). ``max_by`` over every
#: listing copied each nested institution into the aggregate: at 200k works 1.45 -> 0.71 CPU-s.
INSTITUTION_COPIES_DUCKDB_SQL = """
WITH by_raw AS (
    SELECT raw, max(struct_pack(no_date := updated_date IS NULL, updated_date := updated_date, rid := rid)) AS k,
           max(updated_date) AS updated_date, count(*) AS n
    FROM (SELECT rid, updated_date, unnest(institutions).id AS raw
          FROM (SELECT rid, ud AS updated_date, unnest(authorships).institutions AS institutions FROM raw_works)
          WHERE array_length(institutions) > 0)
    GROUP BY raw),
best AS MATERIALIZED (
    SELECT iid, max(k) AS k, max(updated_date) AS updated_date, CAST(sum(n) AS BIGINT) AS n,
           CAST(coalesce(sum(n) FILTER (WHERE iid IS NULL AND nullif(trim(raw, ' '), '') IS NOT NULL), 0) AS BIGINT)
               AS n_bad
    FROM (SELECT ca_oa_id(raw) AS iid, * FROM by_raw) GROUP BY iid),
copy AS (
    SELECT b.iid, arg_min(c.i, struct_pack(p := c.pos, x := c.x)) AS i
    FROM (SELECT rid, pos, unnest(institutions) AS i, generate_subscripts(institutions, 1) AS x
          FROM (SELECT rid, unnest(authorships).institutions AS institutions, generate_subscripts(authorships, 1) AS pos
                FROM raw_works WHERE rid IN (SELECT k.rid FROM best))) c
    JOIN best b ON b.k.rid = c.rid AND b.iid IS NOT DISTINCT FROM ca_oa_id(c.i.id)
    GROUP BY b.iid)
SELECT b.iid, b.k.rid AS rid, c.i, b.updated_date, b.n, b.n_bad
FROM best b LEFT JOIN copy c ON b.iid IS NOT DISTINCT FROM c.iid
"""

INSTITUTION_ROWS_SQL = """
-- each row represents one institution read from the works: its copy in the most recently updated work
SELECT rid, iid AS institution_id, ca_ror(i.ror) AS ror, ca_clean(i.display_name) AS name,
       ca_country(i.country_code) AS country_code, i.type AS type,
       list_filter(list_transform(i.lineage, lambda x: ca_oa_id(x)), lambda x: x IS NOT NULL) AS lineage,
       updated_date, 'work' AS origin
FROM raw_institutions WHERE iid IS NOT NULL
"""

WINNERS_SQL = """
-- each row represents one work id: the copy read that wins (the newest update time, a copy without one
-- oldest, then the later record), as the merge keeps it when nothing is stored
SELECT * EXCLUDE (k) FROM (
    SELECT *, row_number() OVER (PARTITION BY work_id ORDER BY updated_date DESC NULLS LAST, rid DESC) AS k
    FROM staged_works) WHERE k = 1
"""

#: every shared statement (the Spark ingest renders each; a test runs each on DuckDB)
STATEMENTS = {"raw_works": KEPT_WORKS_SQL, "work_rows": WORK_ROWS_SQL, "raw_authorships": AUTHORSHIPS_PASS_SQL,
              "authorship_rows": AUTHORSHIP_ROWS_SQL, "affiliation_rows": AFFILIATION_ROWS_SQL,
              "author_country_rows": AUTHOR_COUNTRY_ROWS_SQL, "raw_institutions": INSTITUTION_COPIES_SQL,
              "institution_rows": INSTITUTION_ROWS_SQL, "winners": WINNERS_SQL}
