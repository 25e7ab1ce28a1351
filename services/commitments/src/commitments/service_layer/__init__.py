"""Handlers: one small async function per command or event."""
