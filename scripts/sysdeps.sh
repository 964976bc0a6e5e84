#!/usr/bin/env bash
# Install the Debian packages the app and its tests need, when missing and when we can.
# `sysdeps.sh app`: only what the app itself needs (make run): the CJK font and Pango its PDFs are drawn with.
# Never fails the build: tests that need a missing package print why they were skipped, and the app refuses to
# issue a report without the CJK font, naming it (its Chinese would print as boxes).
set -u
need=()
if [ "${1:-all}" != app ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fi
# the font by fontconfig's fc-list, or by its files where that tool is missing (as the app looks for it)
{ fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
  || find /usr/share/fonts /usr/local/share/fonts -name 'NotoSansCJK*' -print -quit 2>/dev/null | grep -q .; } \
  || need+=(fonts-noto-cjk)
# ldconfig by its full name too: a user's PATH often lacks /sbin, and Pango read as missing on every run
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || /usr/sbin/ldconfig -p 2>/dev/null; } \
  | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "sysdeps: cannot install ${need[*]} (not root or no apt-get); the tests that need them say so" \
       "and, without fonts-noto-cjk, no report can be issued (install it as root: apt-get install fonts-noto-cjk)" >&2
  exit 0
fi
echo "sysdeps: installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"; } >/tmp/forecasting-sysdeps.log 2>&1 \
  || echo "sysdeps: apt-get failed (see /tmp/forecasting-sysdeps.log); the tests that need ${need[*]} will be skipped" >&2
exit 0
