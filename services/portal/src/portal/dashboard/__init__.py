"""The dashboard (moved here from monitoring): what monitoring's HTTP API answers, shaped
into key figures, charts with their data tables, commitments by risk and alerts. Pure: JSON
in, what the templates show out."""
