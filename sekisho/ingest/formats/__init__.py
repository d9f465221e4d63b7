"""One module per log format; the registry is in :mod:`sekisho.ingest`."""
