#!/usr/bin/env bash
# Installs the Debian packages Confab needs to build and test, when they are missing.
# Options: --test adds what the tests need, --fuzz what `make fuzz` needs (clang, libFuzzer).
# Runs apt-get as root, or through sudo. Safe to run again: it does nothing when all is there.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools
    qt6-l10n-tools libqt6sql6-sqlite libgl-dev
    libssl-dev
    libqrencode-dev
)
if [ "${1:-}" = "--test" ]; then
    packages+=(sqlite3)
    # tests/browser drives Debian's Chromium headless (playwright-core downloads no browser).
    packages+=(chromium)
    # A node/npm already on the machine (not from Debian) will do.
    command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi
if [ "${1:-}" = "--fuzz" ]; then
    # clang with libFuzzer: on Debian 12 libclang-rt-14-dev holds libclang_rt.fuzzer.
    packages+=(clang-14 libclang-rt-14-dev)
fi
# The window icon is SVG: Qt draws it with the plugins in libqt6svg6 (from qt6-svg-dev).
packages+=(qt6-svg-dev)
# Qt's own strings in Korean (qtbase_ko.qm, qtwebsockets_ko.qm): standard buttons, menus.
packages+=(qt6-translations-l10n)
if [ "${1:-}" = "--test" ]; then
    # tests/install: desktop-file-validate, appstreamcli, and dpkg-shlibdeps for cpack -G DEB.
    packages+=(desktop-file-utils appstream dpkg-dev)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
