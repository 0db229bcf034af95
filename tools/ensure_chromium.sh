#!/usr/bin/env bash
# Make Debian's Chromium available for the browser tests, once, before pytest starts.
#
# pytest-xdist workers must never install anything: two workers running apt-get at once fight over the
# dpkg lock and one of them fails (issue 10, item 8). `make test` runs this script first, alone.
# Without root or apt-get nothing is installed: the browser tests then skip loudly (fail under CI=true).
set -uo pipefail
CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "!!! Chromium is missing at $CHROMIUM and cannot be installed here (needs root and apt-get):" \
         "the browser tests will be skipped (and fail under CI=true). As root: apt-get install chromium" >&2
    exit 0
fi
echo "==> installing Debian's chromium for the browser tests (first run only)"
export DEBIAN_FRONTEND=noninteractive
# wait for a dpkg lock held by something else instead of failing at once
apt_opts=(-o DPkg::Lock::Timeout=600 -qq)
apt-get "${apt_opts[@]}" update >/dev/null || echo "!!! apt-get update failed; trying the install anyway" >&2
if ! apt-get "${apt_opts[@]}" install -y chromium >/dev/null; then
    echo "!!! apt-get install chromium failed: the browser tests will be skipped (and fail under CI=true)" >&2
fi
exit 0
