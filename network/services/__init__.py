"""Writes for the network, one module per entity (docs/development.md, style §1)."""
