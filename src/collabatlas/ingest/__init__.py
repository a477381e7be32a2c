"""The ingest pipeline: source records → attribution → the store, in one transaction (staging, routing,
dedupe, merge); keeping the saved unit shares and aggregates current; snapshot sync."""
