#!/usr/bin/env bash
# Run the pytest suite against one database.
#
#   tests/run_suite.sh postgres [pytest args...]  throwaway PostgreSQL 15 cluster (made and removed here)
#   tests/run_suite.sh sqlite   [pytest args...]  the settings' default SQLite database
#   tests/run_suite.sh url      [pytest args...]  the database in $DATABASE_URL, as it is
#                                                 (its role needs CREATEDB: pytest-django makes test_<name>;
#                                                 CREATEROLE for tests/test_database_roles.py)
#
# Environment: PYTHON (default .venv/bin/python), PG_BIN (default /usr/lib/postgresql/15/bin).
# Exit status is pytest's, except that "no tests collected" (pytest's 5) is reported as an error.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-}
[[ $# -gt 0 ]] && shift
PYTHON=${PYTHON:-.venv/bin/python}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

say() { printf '== [%s] %s\n' "$mode" "$*"; }
die() { printf '== [%s] ERROR: %s\n' "$mode" "$*" >&2; exit 2; }

[[ -x $PYTHON ]] || die "$PYTHON not found: run 'make venv' first"

# Ask Django itself which database the settings give, so a run never claims PostgreSQL while
# quietly using SQLite (or the other way round).
describe_db() {
    local expected=$1
    "$PYTHON" - "$expected" <<'EOF'
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
expected = sys.argv[1]
try:
    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    name = connection.settings_dict["NAME"]
    if vendor == "sqlite":  # connecting would create the file: only report the library version
        version = ".".join(map(str, connection.Database.sqlite_version_info))
    else:
        connection.ensure_connection()
        version = str(connection.pg_version if vendor == "postgresql" else "?")
        connection.close()
except Exception as exc:  # settings mid-edit etc.: let pytest show the real error
    print(f"   could not ask Django for its database ({type(exc).__name__}: {exc})")
    sys.exit(0)
print(f"   Django connects to: vendor={vendor} version={version} name={name}")
if vendor != expected:
    print(f"   expected vendor {expected!r}, got {vendor!r}", file=sys.stderr)
    sys.exit(1)
EOF
}

run_pytest() {
    local rc=0
    "$PYTHON" -m pytest "$@" || rc=$?
    if [[ $rc -eq 5 ]]; then
        printf '== [%s] ERROR: pytest collected no tests (exit 5); the suite must collect tests\n' \
            "$mode" >&2
    fi
    say "pytest exit status $rc"
    return "$rc"
}

run_sqlite() {
    if [[ -n ${DATABASE_URL:-} ]]; then
        say "ignoring DATABASE_URL from the environment for this run"
    fi
    unset DATABASE_URL
    # A test database in a file, not in memory, so that the PDF worker processes the tests
    # start can open it too (config/settings.py reads SQLITE_TEST_DB only under pytest).
    SQLITE_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/upmu-sqlite.XXXXXX")
    trap 'rm -rf "$IMPORT_PREVIEW_DIR" "$SQLITE_TEST_DIR"' EXIT
    export SQLITE_TEST_DB=$SQLITE_TEST_DIR/test-db.sqlite3
    say "database: SQLite (settings default; pytest-django's test database in $SQLITE_TEST_DB)"
    describe_db sqlite
    run_pytest "$@"
}

run_url() {
    [[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set"
    say "database: \$DATABASE_URL = $(sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#' <<<"$DATABASE_URL")"
    local vendor=postgresql
    case $DATABASE_URL in
        sqlite*) vendor=sqlite ;;
        mysql*) vendor=mysql ;;
    esac
    describe_db "$vendor"
    run_pytest "$@"
}

# ---------------------------------------------------------------------------------------------
# Throwaway PostgreSQL cluster
# ---------------------------------------------------------------------------------------------
PGTMP=""
PG_STARTED=0
AS_PG=()

pg_cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    rm -rf "${IMPORT_PREVIEW_DIR:?}"
    if [[ $PG_STARTED -eq 1 ]]; then
        say "stopping the throwaway cluster"
        "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
            say "pg_ctl stop failed (cluster already down?)"
    fi
    if [[ -n $PGTMP && -d $PGTMP ]]; then
        # A postmaster that survived pg_ctl (it should not) must not outlive its data directory.
        if [[ -f $PGTMP/data/postmaster.pid ]]; then
            local pid
            pid=$(head -n1 "$PGTMP/data/postmaster.pid" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
                sleep 1
            fi
        fi
        rm -rf "$PGTMP"
        say "removed $PGTMP"
    fi
    exit "$rc"
}

free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

run_postgres() {
    for tool in initdb pg_ctl postgres psql; do
        [[ -x $PG_BIN/$tool ]] || die "$PG_BIN/$tool missing: run 'make sysdeps' (package postgresql-15)"
    done

    trap pg_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    # /tmp, not $TMPDIR: the postgres user must be able to reach it, and the socket path must stay
    # short (Unix sockets allow ~107 bytes).
    PGTMP=$(mktemp -d /tmp/upmu-pg.XXXXXX)
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' user (install postgresql-15)"
        chown postgres:postgres "$PGTMP"
        AS_PG=(runuser -u postgres --)
    fi

    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 >"$PGTMP/initdb.log" 2>&1 ||
        { cat "$PGTMP/initdb.log" >&2; die "initdb failed"; }
    "${AS_PG[@]}" tee -a "$PGTMP/data/postgresql.conf" >/dev/null <<EOF
# throwaway test cluster (tests/run_suite.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGTMP'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 64MB
EOF

    local port="" attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        if "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 \
            -o "-p $port" start >/dev/null; then
            PG_STARTED=1
            break
        fi
        say "start on port $port failed (attempt $attempt)"
        tail -n 5 "$PGTMP/postgres.log" >&2 || true
    done
    [[ $PG_STARTED -eq 1 ]] || die "could not start PostgreSQL"

    local user=upmu pass=upmu db=upmu
    "${AS_PG[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$port" -U postgres \
        -d postgres \
        -c "CREATE ROLE $user LOGIN CREATEDB CREATEROLE PASSWORD '$pass'" \
        -c "CREATE DATABASE $db OWNER $user"

    export DATABASE_URL="postgres://$user:$pass@127.0.0.1:$port/$db"
    local server
    server=$("${AS_PG[@]}" "$PG_BIN/postgres" --version)
    say "database: throwaway cluster ($server) at 127.0.0.1:$port, data in $PGTMP"
    say "DATABASE_URL=postgres://$user:***@127.0.0.1:$port/$db (pytest-django creates test_$db)"
    describe_db postgresql
    run_pytest "$@"
}

# Each run keeps its import previews to itself (two runs go side by side in `make test`, and a
# test ages the newest preview to see it removed).
IMPORT_PREVIEW_DIR=$(mktemp -d "${TMPDIR:-/tmp}/upmu-previews-$mode.XXXXXX")
export IMPORT_PREVIEW_DIR
trap 'rm -rf "$IMPORT_PREVIEW_DIR"' EXIT  # run_postgres's own trap (pg_cleanup) removes it too

case $mode in
    postgres) run_postgres "$@" ;;
    sqlite) run_sqlite "$@" ;;
    url) run_url "$@" ;;
    *)
        echo "usage: $0 postgres|sqlite|url [pytest args...]" >&2
        exit 2
        ;;
esac
