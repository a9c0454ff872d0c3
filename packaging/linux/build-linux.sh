#!/usr/bin/env bash
# Build the Linux downloads from a clone with the project and its [package] extra installed:
#
#   packaging/linux/build-linux.sh            # PyInstaller bundle, then .tar.gz and .deb
#   NO_BUILD=1 packaging/linux/build-linux.sh # reuse dist/tagger, only package it
#
# DIST_DIR and WORK_DIR (default dist and build) move the outputs and PyInstaller's work files.
#
# Writes dist/metal-hardcore-tagger-VERSION-linux-ARCH.tar.gz (unpack anywhere, run ./tagger,
# or ./install.sh to add the menu entry for this user) and dist/metal-hardcore-tagger_VERSION_
# DEBARCH.deb (installs to /opt/metal-hardcore-tagger with /usr/bin/tagger). The desktop entry
# and AppStream file are validated first when the validators are installed (CI installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."

# The Python with the project and PyInstaller: $PYTHON, else the README's .venv, else python3.
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
APP_ID=io.github.metal_hardcore_tagger
PACKAGE=metal-hardcore-tagger
VERSION=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(uname -m)
DIST=${DIST_DIR:-dist}
WORK=${WORK_DIR:-build}
DEB_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

validate_metadata() {
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "packaging/$APP_ID.desktop"
  else
    echo "build-linux: desktop-file-validate not installed, desktop entry not validated" >&2
  fi
  if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --pedantic "packaging/$APP_ID.metainfo.xml"
  else
    echo "build-linux: appstreamcli not installed, AppStream file not validated" >&2
  fi
}

build_bundle() {
  local start=$SECONDS
  "$PYTHON" -m PyInstaller --noconfirm --distpath "$DIST" --workpath "$WORK/pyinstaller" tagger.spec
  echo "build-linux: bundle built in $((SECONDS - start)) s"
}

make_tarball() {
  local name="$PACKAGE-$VERSION-linux-$ARCH"
  local stage="$WORK/$name"
  rm -rf "$stage"
  mkdir -p "$WORK"
  # Hard links, not a copy: staging costs no disk (the bundle is ~900 MB).
  cp -al "$DIST/tagger" "$stage"
  cp packaging/linux/install.sh "$stage/install.sh"
  tar -C "$WORK" -czf "$DIST/$name.tar.gz" "$name"
  rm -rf "$stage"
  echo "build-linux: $DIST/$name.tar.gz"
}

make_deb() {
  local root="$WORK/deb"
  local deb="$DIST/${PACKAGE}_${VERSION}_${DEB_ARCH}.deb"
  rm -rf "$root"
  mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/metainfo" "$root/usr/share/icons/hicolor/scalable/apps"
  cp -al "$DIST/tagger" "$root/opt/$PACKAGE"  # hard links: no second 900 MB on disk
  ln -s "/opt/$PACKAGE/tagger" "$root/usr/bin/tagger"
  cp "packaging/$APP_ID.desktop" "$root/usr/share/applications/"
  cp "packaging/$APP_ID.metainfo.xml" "$root/usr/share/metainfo/"
  cp resources/tagger.svg "$root/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
  local size
  # --count-links: the hard-linked files count at their full size (Installed-Size).
  size=$(du -sk --count-links --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$DEB_ARCH/" -e "s/@SIZE@/$size/" \
    packaging/linux/debian-control.in >"$root/DEBIAN/control"
  cp packaging/linux/debian-postinst "$root/DEBIAN/postinst"
  cp packaging/linux/debian-postinst "$root/DEBIAN/postrm"
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"
  # gzip -6 like the tarball (dpkg-deb defaults to -9, which is far slower on a 900 MB tree).
  dpkg-deb --root-owner-group -Zgzip -z6 --build "$root" "$deb"
  rm -rf "$root"
  echo "build-linux: $deb"
}

validate_metadata
[ "${NO_BUILD:-0}" = 1 ] || build_bundle
[ -x "$DIST/tagger/tagger" ] || { echo "build-linux: $DIST/tagger/tagger missing" >&2; exit 1; }
make_tarball
command -v dpkg-deb >/dev/null && make_deb
du -sh "$DIST/tagger" "$DIST"/*.tar.gz "$DIST"/*.deb 2>/dev/null || true
