"""Engines: the one protocol every model backend speaks, and the backends that speak it."""
