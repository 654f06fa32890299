#!/usr/bin/env bash
# Install what CareerOps needs to build, test and run, from Debian 12's
# packages. Idempotent: installs only what is missing. Needs root (or sudo).
# chromium, chromium-driver, python3-selenium: the dashboard's browser test
# (tests/browser, suite browser) drives headless Chromium.
# tzdata: the rules classifier reads zone names ("Mountain Time", "CET")
# through the tz database, so their offsets follow each date's DST.
# libsystemd-dev: sd-daemon.h checks core/notify_systemd.c (libsystemd is
# loaded at run time under systemd only). python3-venv: scripts/chroma.sh
# makes a virtual environment for the real Chroma server of the tests.
# docker-compose: tests/deploy checks deploy/compose.yaml (no daemon needed).
set -euo pipefail
pkgs=(gcc pkg-config meson ninja-build python3 curl ca-certificates
      librdkafka-dev libjansson-dev libsodium-dev libcurl4-openssl-dev libpq-dev
      check libgmime-3.0-dev libical-dev libxml2-dev libmicrohttpd-dev
      unicode-cldr-core postgresql libstemmer-dev tzdata
      libsystemd-dev python3-venv docker-compose
      chromium chromium-driver python3-selenium
      dovecot-imapd # imap-source tests start their own Dovecot on loopback
      libjemalloc2 # cli-robust runs the host with LD_PRELOAD=jemalloc
      time # GNU time: tests/archive/big_messages.sh measures the peak RSS
      gdb) # tests/demo/lib.sh: the threads of a demo's host that hangs
# Extra tools the full suite uses when present: sanitizer runtimes come with
# gcc; clang and libclang-rt-14-dev build the libFuzzer targets.
[ "${CAREEROPS_WITH_FUZZ:-0}" = 1 ] && pkgs+=(clang libclang-rt-14-dev)
# bench/host compares the host with rsyslog's imkafka -> omkafka.
[ "${CAREEROPS_WITH_BENCH:-0}" = 1 ] && pkgs+=(rsyslog-kafka)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
