#!/usr/bin/env bash
# A production-like stack for bench/http_load.py, without `make prod` (which installs): a throw-away
# PostgreSQL database with the reference and demo data, Redis for cache and sessions, gunicorn with
# DEBUG=false and the production settings. Plain HTTP on loopback, so the HTTPS-only flags are off and the
# demo users sign in with a password only (no second factor).
#
#   bench/prod_stack.sh setup               # create + migrate + load (once; DB name from $BENCH_DB)
#   bench/prod_stack.sh run -- --only api_me  # start gunicorn, run http_load.py with these args, stop
#   bench/prod_stack.sh py bench/request_queries.py  # a Python script in the same environment
#   bench/prod_stack.sh drop                # drop the database, flush the Redis databases
#
# Environment: BENCH_DB (default nqihub_bench), BENCH_PORT (8101), BENCH_REDIS (redis://127.0.0.1:6379/10),
# BENCH_BROKER (redis://127.0.0.1:6379/11), WEB_CONCURRENCY (4), PGHOST/PGUSER (127.0.0.1/postgres),
# BENCH_SRC (src: another checkout's src/, e.g. `git archive <commit> src | tar -x -C /tmp/x`, for a
# before/after comparison on the same database).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB=${BENCH_DB:-nqihub_bench}
PORT=${BENCH_PORT:-8101}
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
SECRETS=${BENCH_SECRETS:-var/bench-secrets.env}

mkdir -p var
if [ ! -s "$SECRETS" ]; then
    PYTHONPATH=src DJANGO_SETTINGS_MODULE=nqihub.settings $BIN/python manage.py generate_secrets >"$SECRETS"
    chmod 600 "$SECRETS"
fi
set -a
# shellcheck disable=SC1090
. "$SECRETS"
set +a
export PYTHONPATH=${BENCH_SRC:-src} DJANGO_SETTINGS_MODULE=nqihub.settings
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost PUBLIC_BASE_URL="http://127.0.0.1:$PORT"
export DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$DB"
export REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/10}
export CELERY_BROKER_URL=${BENCH_BROKER:-redis://127.0.0.1:6379/11}
export CACHE_KEY_PREFIX="bench-$DB"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export REQUIRE_SECOND_FACTOR=false SMS_BACKEND=console EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend
export STORAGE_BACKEND=local PRIVATE_FILES_ROOT="$PWD/var/bench-private" STATIC_ROOT="$PWD/var/bench-static"
export AXES_FAILURE_LIMIT=1000 LOG_LEVEL=WARNING
export PORT WEB_CONCURRENCY=${WEB_CONCURRENCY:-4}

case "${1:-}" in
setup)
    psql -h "$PGHOST" -U "$PGUSER" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    $BIN/python manage.py migrate --no-input -v 0
    $BIN/python manage.py load_reference
    $BIN/python manage.py load_standards
    $BIN/python manage.py load_ccc
    $BIN/python manage.py load_demo
    $BIN/python manage.py collectstatic --no-input -v 0
    ;;
run)
    shift
    [ "${1:-}" = "--" ] && shift
    $BIN/gunicorn nqihub.wsgi:application --config python:nqihub.gunicorn_conf >var/bench-gunicorn.log 2>&1 &
    GPID=$!
    trap 'kill -TERM $GPID 2>/dev/null; wait $GPID 2>/dev/null || true' EXIT
    for _ in $(seq 1 120); do
        curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
        sleep 0.5
    done
    $BIN/python bench/http_load.py --base "http://127.0.0.1:$PORT" "$@"
    ;;
py)
    shift
    $BIN/python "$@"
    ;;
drop)
    psql -h "$PGHOST" -U "$PGUSER" -qc "DROP DATABASE IF EXISTS $DB"
    redis-cli -u "$REDIS_URL" flushdb >/dev/null
    ;;
*)
    sed -n '2,13p' "$0"
    exit 2
    ;;
esac
