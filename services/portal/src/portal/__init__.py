"""The portal: the web front for people (see README)."""
