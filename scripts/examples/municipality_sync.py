#!/usr/bin/env python3
"""Keep a municipality's subsidised projects in the Bruggen knowledge bank (docs/api.md).

    python municipality_sync.py --url https://bruggen.example --organisation gemeente-utrecht \\
        projects.csv

The token comes from the BRUGGEN_TOKEN environment variable (a token with the `read` and
`write` scopes of a member of the organisation). The CSV has a header and these columns:

    ref,title,status,started,ended,municipality,themes,summary

`ref` is the municipality's own project key (lowercase letters, digits, `.`, `_`, `-`);
`themes` are theme slugs separated by `;`. Each row is created, or updated when it differs;
an initiative of the organisation that is no longer in the CSV is marked `finished`. A
second run with the same CSV changes nothing. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

FIELDS = ("title", "status", "started", "ended", "municipality", "themes", "summary")


class ApiError(Exception):
    def __init__(self, status: int, detail) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class Bruggen:
    def __init__(self, url: str, token: str) -> None:
        if not url.startswith(("https://", "http://")):
            raise SystemExit("--url must start with https:// (or http:// for a local server)")
        self.base = url.rstrip("/") + "/api/v1"
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        # The scheme is checked in __init__: only http(s).
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            try:
                detail = json.loads(error.read()).get("detail")
            except ValueError:
                detail = error.reason
            raise ApiError(error.code, detail) from None

    def initiative(self, ref: str) -> dict | None:
        try:
            return self.call("GET", f"/initiatives/{urllib.parse.quote(ref)}")
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def initiatives_of(self, organisation: str) -> list[dict]:
        found, offset = [], 0
        while True:
            query = urllib.parse.urlencode(
                {"organisation": organisation, "sort": "recent", "limit": 100, "offset": offset}
            )
            page = self.call("GET", f"/initiatives?{query}")
            found.extend(page["items"])
            offset += len(page["items"])
            if not page["items"] or offset >= page["count"]:
                return found


def wanted(row: dict[str, str]) -> dict:
    """A CSV row as the API's initiative fields."""
    return {
        "title": row["title"].strip(),
        "status": (row.get("status") or "running").strip(),
        "started": (row.get("started") or "").strip() or None,
        "ended": (row.get("ended") or "").strip() or None,
        "municipality": (row.get("municipality") or "").strip() or None,
        "themes": sorted(t.strip() for t in (row.get("themes") or "").split(";") if t.strip()),
        "summary": (row.get("summary") or "").strip(),
    }


def differences(current: dict, desired: dict) -> dict:
    changed = {}
    for field in FIELDS:
        now = current.get(field)
        if field == "themes":
            now = sorted(now or [])
        if field == "municipality" and now and desired[field]:
            now, compare = now.casefold(), desired[field].casefold()
            if now != compare:
                changed[field] = desired[field]
            continue
        if (now or None) != (desired[field] or None):
            changed[field] = desired[field]
    return changed


def sync(api: Bruggen, organisation: str, rows: list[dict[str, str]]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "finished": 0}
    refs = set()
    for row in rows:
        ref = row["ref"].strip()
        refs.add(ref)
        desired = wanted(row)
        current = api.initiative(ref)
        if current is None:
            api.call("POST", "/initiatives", {"organisation": organisation, "ref": ref, **desired})
            counts["created"] += 1
            continue
        changed = differences(current, desired)
        if changed:
            api.call("PATCH", f"/initiatives/{urllib.parse.quote(ref)}", changed)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for initiative in api.initiatives_of(organisation):
        if initiative["ref"] not in refs and initiative["status"] != "finished":
            api.call("PATCH", f"/initiatives/{initiative['ref']}", {"status": "finished"})
            counts["finished"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv_file")
    parser.add_argument("--url", required=True, help="e.g. https://bruggen.example")
    parser.add_argument("--organisation", required=True, help="the organisation's ref")
    arguments = parser.parse_args(argv)
    token = os.environ.get("BRUGGEN_TOKEN", "")
    if not token:
        print("Set BRUGGEN_TOKEN to an API token with the read and write scopes.", file=sys.stderr)
        return 2
    with open(arguments.csv_file, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    try:
        counts = sync(Bruggen(arguments.url, token), arguments.organisation, rows)
    except ApiError as error:
        print(f"Bruggen answered {error.status}: {error.detail}", file=sys.stderr)
        return 1
    print(", ".join(f"{name}: {count}" for name, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
