# Sourced by `make test`: choose the services the suite runs against and say so.
# PostgreSQL and Redis at their usual local addresses are used when they answer; with
# CI=true nothing falls back.

_bruggen_port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && exec 3>&- 3<&-
}

if [ -z "${DATABASE_URL:-}" ]; then
  if _bruggen_port_open 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
  elif [ "${CI:-}" = "true" ]; then
    echo "CI=true: PostgreSQL does not answer at 127.0.0.1:5432; refusing to fall back." >&2
    return 1 2>/dev/null || exit 1
  else
    echo "NOTE: PostgreSQL does not answer at 127.0.0.1:5432: tests fall back to SQLite." >&2
  fi
fi

if [ -z "${REDIS_URL:-}" ]; then
  if _bruggen_port_open 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/15"
  elif [ "${CI:-}" = "true" ]; then
    echo "CI=true: Redis does not answer at 127.0.0.1:6379; refusing to fall back." >&2
    return 1 2>/dev/null || exit 1
  else
    echo "NOTE: Redis does not answer at 127.0.0.1:6379: tests fall back to the in-memory channel layer and skip the Redis tests." >&2
  fi
fi

echo "Tests run against: database ${DATABASE_URL:-SQLite (var/test-db.sqlite3)}, redis ${REDIS_URL:-none (in-memory channel layer)}"
