#!/bin/sh
# Makes docs/screenshot.png: the real chat window hosting a room where a few scripted
# members talk (Korean too), rendered under Xvfb. Needs CJK fonts for the Korean lines;
# installs fonts-noto-cjk if they are missing (a screenshot-time need only).
#   scripts/screenshot.sh [BUILD_DIR]      (default: build)
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}

if ! fc-list :lang=ko 2>/dev/null | grep -q .; then
    echo "screenshot: installing fonts-noto-cjk for the Korean text"
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get install -y fonts-noto-cjk
fi
if ! fc-list 2>/dev/null | grep -qi emoji; then
    echo "screenshot: installing fonts-noto-color-emoji for the reactions"
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get install -y fonts-noto-color-emoji
fi
command -v xvfb-run >/dev/null || { echo "screenshot: xvfb-run is missing (apt-get install xvfb)" >&2; exit 1; }

[ -f "$BUILD/build.ninja" ] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" --target confab_screenshot

mkdir -p docs
# A plain X server, no desktop: Qt picks its Fusion style, as on most Linux desktops.
QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
    "$BUILD/tests/app/confab_screenshot" docs/screenshot.png
