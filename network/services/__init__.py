"""Writes for the network, one module per entity (STYLE.md §1)."""
