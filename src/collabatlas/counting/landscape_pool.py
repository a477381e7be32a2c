"""The landscape pooled over years: each country's mean point over its country-years, as SQL.

The country-year points (one row per country and year, with ``intl_share`` from
:func:`collabatlas.counting.rules.collaboration_by_year_sql` and the indicators of that year) are
registered as the relation ``points``; :func:`country_means_sql` turns them into one row per country.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def country_means_sql(means: list[str]) -> str:
    """One row per ``country`` of the relation ``points``: ``n_years`` (its country-years), ``first_year``,
    ``last_year``, ``works`` and ``intl_works`` (summed), ``intl_share`` (the mean of the yearly shares,
    each country-year weighing 1) and the mean of each column of ``means`` over the country-years where it
    has a value (NULL when it has none)."""
    bad = [m for m in means if not _NAME.match(m)]
    if bad:
        raise ValueError(f"not a column name: {bad}")
    extra = "".join(f", avg({m}) AS {m}, count({m}) AS {m}_n_years" for m in means)
    return (f"SELECT country, count(*) AS n_years, min(year) AS first_year, max(year) AS last_year, "
            f"sum(works) AS works, sum(intl_works) AS intl_works, avg(intl_share) AS intl_share{extra} "
            f"FROM points GROUP BY country ORDER BY country")
