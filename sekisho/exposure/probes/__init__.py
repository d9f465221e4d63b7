"""One module per probe; the registry is ``sekisho.exposure.PROBES``."""
