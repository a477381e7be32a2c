"""The ingest's staging tables: temporary tables (never written to the store file) that every reader
fills — the OpenAlex stager (:mod:`collabatlas.sources.openalex_staging`), the export stager
(:mod:`.export_staging`) and the Parquet import (:func:`collabatlas.ingest.pipeline.ingest_tables`) —
and that the merge (:mod:`.merge`) reads. Every insert into them names its columns, so a column added
here never shifts another reader's values.
"""

from __future__ import annotations

import duckdb

STAGING_SQL = """
CREATE OR REPLACE TEMP TABLE stage_works (
    rid BIGINT, work_id VARCHAR, doi VARCHAR, title VARCHAR, year INTEGER, pub_date DATE, type VARCHAR,
    source_id VARCHAR, source_name VARCHAR, domain_id VARCHAR, domain VARCHAR, field_id VARCHAR, field VARCHAR,
    subfield_id VARCHAR, subfield VARCHAR, n_authors INTEGER, updated_date TIMESTAMP, origin VARCHAR,
    authors_truncated BOOLEAN, issn_l VARCHAR, issns VARCHAR[], citations BIGINT, fwci DOUBLE, top10 BOOLEAN);
CREATE OR REPLACE TEMP TABLE stage_authorships (
    rid BIGINT, work_id VARCHAR, author_position INTEGER, author_id VARCHAR, author_name VARCHAR,
    n_institutions INTEGER, n_countries INTEGER);
CREATE OR REPLACE TEMP TABLE stage_affiliations (
    rid BIGINT, work_id VARCHAR, author_position INTEGER, institution_id VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_author_countries (
    rid BIGINT, work_id VARCHAR, author_position INTEGER, country_code VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_institutions (
    rid BIGINT, institution_id VARCHAR, ror VARCHAR, name VARCHAR, country_code VARCHAR, type VARCHAR, \
lineage VARCHAR[],
    updated_date TIMESTAMP, origin VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_institution_geo (
    rid BIGINT, institution_id VARCHAR, lat DOUBLE, lon DOUBLE, updated_date TIMESTAMP);
"""

STAGING_TABLES = ("stage_works", "stage_authorships", "stage_affiliations", "stage_author_countries",
                  "stage_institutions", "stage_winners", "stage_keys", "stage_targets", "stage_clustered",
                  "stage_decision", "stage_go", "stage_prev_subjects", "stage_institution_geo",
                  "stage_export_addresses")


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    for table in STAGING_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
