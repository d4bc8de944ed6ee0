"""The network generator behind `manage.py generate_network` (docs/generate_network.md).

- vocabulary.json: the text data (names, words, sentences, places, weights); vocabulary.py
  reads and checks it once per process.
- planner.py: decides what to make, from the seed alone (seeded random, no database).
- writer.py: writes the plan in one transaction, with progress bars, and refreshes the
  search vectors and, on PostgreSQL, the planner statistics.
"""
