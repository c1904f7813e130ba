#!/usr/bin/env bash
# Builds the third-party MIME test corpus under test/corpus/.corpus (gitignored) from sources on a
# Debian 12 machine; sources and licences: test/corpus/SOURCES.md. Nothing is installed: Debian
# packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a temp dir
# (files of an already installed package are used in place).
#   messages/python-test_email/  CPython Lib/test/test_email/data/msg_*.txt      (PSF-2.0)
#   messages/enmime/             golang-github-jhillyerd-enmime-dev testdata/*.raw (CC0-1.0 per Debian copyright)
#   messages/spamassassin/       spamassassin examples/sample-{spam,nonspam}.txt  (Apache-2.0)
# Usage: assemble-corpus.sh [OUT_DIR]   Exit status non-zero with a message when a source is missing.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$HERE/../test/corpus/.corpus}"
MSG="$OUT/messages"
LIC="$OUT/licenses"
rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp/messages/python-test_email" "$OUT.tmp/messages/enmime" "$OUT.tmp/messages/spamassassin" "$OUT.tmp/licenses"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP" "$OUT.tmp"' EXIT

fetch_deb() { # package: unpack into $TMP/x, running apt-get update once if the lists lack it
  local pkg="$1"
  if ! ( cd "$TMP" && apt-get download "$pkg" >/dev/null 2>&1 ); then
    apt-get update -q >/dev/null 2>&1 || true
    ( cd "$TMP" && apt-get download "$pkg" >/dev/null 2>&1 ) || {
      echo "assemble-corpus: cannot download Debian package $pkg (needs apt sources and network to deb.debian.org)" >&2
      exit 1
    }
  fi
  dpkg-deb -x "$TMP"/"$pkg"_*.deb "$TMP/x"
}

# 1. CPython's email test data, from the python3 on PATH (Debian's needs libpython3.11-testsuite).
PYDATA="$(python3 -c 'import os, test.test_email as t; print(os.path.join(os.path.dirname(t.__file__), "data"))' 2>/dev/null || true)"
if [ -z "$PYDATA" ] || ! ls "$PYDATA"/msg_*.txt >/dev/null 2>&1; then
  fetch_deb libpython3.11-testsuite
  PYDATA="$TMP/x/usr/lib/python3.11/test/test_email/data"
fi
cp "$PYDATA"/msg_*.txt "$OUT.tmp/messages/python-test_email/"
PYLIC="$(python3 -c 'import os, sysconfig; print(os.path.join(sysconfig.get_paths()["stdlib"], "LICENSE.txt"))')"
[ -f "$PYLIC" ] && cp "$PYLIC" "$OUT.tmp/licenses/PSF-LICENSE-python.txt"

# 2. enmime test data.
EN_DOC=/usr/share/doc/golang-github-jhillyerd-enmime-dev
EN=/usr/share/gocode/src/github.com/jhillyerd/enmime/testdata
if [ ! -d "$EN" ]; then
  fetch_deb golang-github-jhillyerd-enmime-dev
  EN="$TMP/x$EN"
  EN_DOC="$TMP/x$EN_DOC"
fi
for sub in mail low-quality parts; do
  for f in "$EN/$sub"/*.raw; do cp "$f" "$OUT.tmp/messages/enmime/$sub--$(basename "$f")"; done
done
cp "$EN_DOC/copyright" "$OUT.tmp/licenses/enmime-debian-copyright.txt"

# 3. SpamAssassin's sample messages.
fetch_deb spamassassin
cp "$TMP/x/usr/share/doc/spamassassin/examples/sample-spam.txt" \
   "$TMP/x/usr/share/doc/spamassassin/examples/sample-nonspam.txt" "$OUT.tmp/messages/spamassassin/"
cp "$TMP/x/usr/share/doc/spamassassin/copyright" "$OUT.tmp/licenses/spamassassin-debian-copyright.txt"
[ -f /usr/share/common-licenses/Apache-2.0 ] && cp /usr/share/common-licenses/Apache-2.0 "$OUT.tmp/licenses/Apache-2.0.txt"

rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
echo "corpus: $(find "$MSG" -type f | wc -l) messages, $(find "$MSG" -type f -printf '%s\n' | awk '{s+=$1} END {print s}') bytes in $MSG ($LIC)"
