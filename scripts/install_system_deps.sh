#!/usr/bin/env bash
# Installs the Debian packages the project needs, only when they are missing:
#   fonts   - a CJK font (WenQuanYi Micro Hei) so annotations can draw Chinese text
#   browser - Chromium and its driver for the end-to-end browser tests
set -euo pipefail
what=${1:-fonts}
case "$what" in
  fonts)   need_file=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc; pkgs="fonts-wqy-microhei" ;;
  browser) need_file=/usr/bin/chromium; pkgs="chromium chromium-driver" ;;
  *) echo "usage: $0 fonts|browser" >&2; exit 2 ;;
esac
[ -e "$need_file" ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install: $pkgs (no apt-get on this machine)" >&2; exit 1
fi
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing $pkgs ..."
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $pkgs >/dev/null
