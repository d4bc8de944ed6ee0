"""Writes for matching: needs, proposals and their flow, matching rounds (docs/development.md, style §1)."""
