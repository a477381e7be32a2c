"""What people see: the CLI, charts, the report and the web dashboard. Thin layers over the library."""
