"""Entrypoints: HTTP routes and Kafka subscriptions."""
