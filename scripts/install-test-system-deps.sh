#!/bin/sh
# Install the system programs the tests drive, only when they are missing:
# Debian's Chromium for the browser tests, PostgreSQL when DB=postgresql.
set -eu

packages=""
[ -x /usr/bin/chromium ] || packages="$packages chromium fonts-dejavu-core"
if [ "${DB:-sqlite}" = "postgresql" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    packages="$packages postgresql"
fi
[ -n "$packages" ] || exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "Installing:$packages"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null
