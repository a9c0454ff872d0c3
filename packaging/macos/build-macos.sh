#!/usr/bin/env bash
# Build "Metal & Hardcore Tagger.app" and a DMG on macOS, from a clone with the project and its
# [package] extra installed:
#
#   packaging/macos/build-macos.sh
#
# Signing is optional: with CODESIGN_IDENTITY set (a "Developer ID Application" identity in the
# keychain) the app is signed with the hardened runtime, and with APPLE_ID_USER, APPLE_ID_TEAM
# and APPLE_ID_PASSWORD (an app-specific password) also notarised and stapled. Without them the
# app is ad-hoc signed (it runs on the build machine; Gatekeeper asks elsewhere).
# Writes dist/metal-hardcore-tagger-VERSION-macos-ARCH.dmg.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
APP_NAME="Metal & Hardcore Tagger"
APP="dist/$APP_NAME.app"
VERSION=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(uname -m)
DMG="dist/metal-hardcore-tagger-$VERSION-macos-$ARCH.dmg"

start=$SECONDS
"$PYTHON" -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller tagger.spec
echo "build-macos: bundle built in $((SECONDS - start)) s"

# Every Mach-O file is signed inside out; --deep is not enough for the nested frameworks.
sign() {
  local identity=$1
  shift
  find "$APP/Contents" -type f \( -name '*.dylib' -o -name '*.so' -o -perm -u+x \) -print0 |
    xargs -0 codesign --force --timestamp --options runtime "$@" --sign "$identity" 2>/dev/null || true
  codesign --force --timestamp --options runtime "$@" --sign "$identity" "$APP"
}

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  sign "$CODESIGN_IDENTITY" --entitlements packaging/macos/entitlements.plist
  codesign --verify --deep --strict --verbose=2 "$APP"
  if [ -n "${APPLE_ID_USER:-}" ] && [ -n "${APPLE_ID_PASSWORD:-}" ]; then
    ditto -c -k --keepParent "$APP" "dist/notarize.zip"
    xcrun notarytool submit "dist/notarize.zip" --apple-id "$APPLE_ID_USER" \
      --team-id "${APPLE_ID_TEAM:?}" --password "$APPLE_ID_PASSWORD" --wait --timeout 20m
    xcrun stapler staple "$APP"
    rm -f "dist/notarize.zip"
  fi
else
  codesign --force --deep --sign - "$APP"
fi

echo "build-macos: checking the app runs"
"$APP/Contents/MacOS/tagger" --version

# The DMG: the app next to a link to /Applications, to drag it across.
stage="build/dmg"
rm -rf "$stage" "$DMG"
mkdir -p "$stage"
cp -R "$APP" "$stage/"
ln -s /Applications "$stage/Applications"
# hdiutil sometimes fails with "Resource busy" on CI runners; a retry gets through.
for attempt in 1 2 3 4 5; do
  if hdiutil create -volname "$APP_NAME $VERSION" -srcfolder "$stage" -ov -format UDZO "$DMG"; then
    break
  fi
  [ "$attempt" -eq 5 ] && exit 1
  echo "build-macos: hdiutil failed, retrying in 5 s"
  sleep 5
done
rm -rf "$stage"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
fi
du -sh "$APP" "$DMG"
echo "build-macos: $DMG"
