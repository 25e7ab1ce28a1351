#!/usr/bin/env bash
# Debian packages the tests run, installed when missing (Debian 12, as root, as CI runs):
#   chromium   the dashboard's end-to-end test (Playwright drives it; nothing downloads a browser)
#   nodejs     `node --check` on deploy/mongo/*.js, the scripts mongosh runs
#   openssl    deploy/make-secrets.sh, which the deployment tests run
#   faketime   scripts/on-date.sh: the suite with the clock on a given day
#   gcc        scripts/compile_domain.py: monitoring's domain compiled (mypyc)
#
#   scripts/debian-packages.sh              the packages above that are missing
#   scripts/debian-packages.sh PACKAGE...   those packages, if not installed
#
# Nothing is installed when all is there. Otherwise one `apt-get update`, then one
# `apt-get install`; both wait (up to APT_LOCK_TIMEOUT, 300 s) for another apt or dpkg
# (unattended-upgrades, a concurrent `make`) to let go of its lock instead of failing.
set -euo pipefail
LOCK_TIMEOUT=${APT_LOCK_TIMEOUT:-300}
APT=(apt-get -o "DPkg::Lock::Timeout=$LOCK_TIMEOUT")

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }

missing=()
if (($#)); then
  for package in "$@"; do installed "$package" || missing+=("$package"); done
else
  # What the tests call, and the package that brings it.
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  command -v node >/dev/null || missing+=(nodejs)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v faketime >/dev/null || missing+=(faketime)
  command -v gcc >/dev/null || missing+=(gcc)
fi
((${#missing[@]})) || exit 0

if ((EUID != 0)); then
  echo "${0##*/}: missing ${missing[*]}; as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# DPkg::Lock::Timeout covers dpkg's locks (install), not the package lists' lock that
# `apt-get update` takes (apt 2.6 fails at once on it): wait for that one here.
update() {
  local waited=0 output
  while ! output=$("${APT[@]}" update -qq 2>&1); do
    if [[ $output != *"Could not get lock"* ]] || ((waited >= LOCK_TIMEOUT)); then
      echo "$output" >&2
      return 1
    fi
    ((waited == 0)) && echo "apt-get update: waiting for another apt to finish" >&2
    sleep 5
    waited=$((waited + 5))
  done
}

echo "installing Debian packages: ${missing[*]}"
update
DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq "${missing[@]}" >/dev/null
