"""Adapters: MongoDB repositories and the domain -> contract event mapping."""
