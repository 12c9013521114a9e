#!/bin/sh
# The system programs the tests drive, installed only when missing: Debian's Chromium for the
# browser tests, Dovecot (an IMAP server the mail tests start on their own), nginx and Caddy (the
# deploy/ site files are checked by them, and nginx runs in front of gunicorn in a test) and
# PostgreSQL when DB=postgresql. Where apt starts services (not in a container), nginx and Caddy
# start on ports 80 and 443 once installed: `systemctl disable --now nginx caddy` stops them.
set -eu
here="$(dirname "$0")"

packages=""
[ -x /usr/bin/chromium ] || packages="$packages chromium fonts-dejavu-core"
[ -x /usr/sbin/dovecot ] || packages="$packages dovecot-imapd"
[ -x /usr/sbin/nginx ] || packages="$packages nginx"
[ -x /usr/bin/caddy ] || packages="$packages caddy"
if [ "${DB:-sqlite}" = "postgresql" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    packages="$packages postgresql"
fi
[ -z "$packages" ] || sh "$here/apt-install.sh" $packages

# Dovecot stores the test mailboxes as this unprivileged user.
if ! id vmail >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo useradd --system --user-group --no-create-home --shell /usr/sbin/nologin vmail
fi
