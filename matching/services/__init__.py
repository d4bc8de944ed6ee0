"""Writes for matching: needs, proposals and their flow, matching rounds (STYLE.md §1)."""
