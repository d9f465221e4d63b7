"""One module per export target; the registry is ``sekisho.export.TARGETS``."""
