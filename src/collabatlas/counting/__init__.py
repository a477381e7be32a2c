"""The counting rules as set-based SQL, the work filters, subjects and journal lists (no I/O beyond reading
packaged reference data)."""
