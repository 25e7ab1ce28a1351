"""Cross-cutting building blocks shared by the registry, commitments and monitoring services."""
