#!/bin/sh
# The system programs the tests drive, installed only when missing: Debian's Chromium for the
# browser tests, Dovecot (an IMAP server the mail tests start on their own) and PostgreSQL when
# DB=postgresql.
set -eu
here="$(dirname "$0")"

packages=""
[ -x /usr/bin/chromium ] || packages="$packages chromium fonts-dejavu-core"
[ -x /usr/sbin/dovecot ] || packages="$packages dovecot-imapd"
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
