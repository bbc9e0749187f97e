#!/bin/sh
# The browser tests drive Debian's Chromium through playwright-core; install it when missing.
command -v chromium >/dev/null 2>&1 && exit 0
echo "Installing Debian's chromium for the browser tests…"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
