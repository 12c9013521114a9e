#!/bin/sh
# The system programs the tests drive, installed only when missing:
# Debian's Chromium for the browser tests, PostgreSQL when DB=postgresql.
set -eu
here="$(dirname "$0")"

[ -x /usr/bin/chromium ] || sh "$here/apt-install.sh" chromium fonts-dejavu-core
if [ "${DB:-sqlite}" = "postgresql" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    sh "$here/apt-install.sh" postgresql
fi
