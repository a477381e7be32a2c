"""The DuckDB store: schema and migrations, connections and transactions, Parquet interchange, country-pair
aggregates."""
