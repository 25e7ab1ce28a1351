"""Monitoring: progress against commitments and partnership targets, and alerts."""
