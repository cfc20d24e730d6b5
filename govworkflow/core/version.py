"""The package version (one place: ``govworkflow.__version__`` and every provenance read it)."""

VERSION = "0.1.0"
