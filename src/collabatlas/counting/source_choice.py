"""Where the numbers come from: the sources a metric may read (``--source``), with what each can do.

Plain data, so the command line builds its ``--source`` choice without loading the store."""

#: what each source can do: the work-level store answers every filter and option; the country-pair
#: aggregates (``ingest-pairs``) hold full counts of joint works per country pair and year only
SOURCES = {
    "works": "every metric, filter and counting option (fractional Share and CS)",
    "pairs": ("joint-work counts (full counting) per country pair and publication year, the diagonal each "
              "country's internationally co-authored works: filter by --years only"),
}
