"""Benchmarks that print figures; not part of `make test` (see `make bench`)."""
