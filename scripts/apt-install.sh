#!/bin/sh
# Install Debian packages that are not installed yet (as root, or through sudo).
set -eu

missing=""
for package in "$@"; do
    # Only "installed" counts: a removed package can linger with its config files.
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -n "$missing" ] || exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "Installing Debian packages:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
