"""The command groups of pactctl."""
