#!/usr/bin/env bash
# Install the unpacked Metal & Hardcore Tagger for the current user (no root needed):
#
#   ./install.sh              # copy to ~/.local/opt, add `tagger` to ~/.local/bin, a menu entry
#   ./install.sh --uninstall  # remove all of that again (your library and settings stay)
#
# The folder also runs in place without installing: ./tagger (the window) or ./tagger --help.
set -euo pipefail

APP_ID=io.github.metal_hardcore_tagger
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
prefix="$HOME/.local/opt/metal-hardcore-tagger"
bin="$HOME/.local/bin"
entry="$data/applications/$APP_ID.desktop"
icon="$data/icons/hicolor/scalable/apps/$APP_ID.svg"
metainfo="$data/metainfo/$APP_ID.metainfo.xml"

refresh_caches() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
  # Only what install.sh made: a link that points into our prefix, and our own files.
  if [ -L "$bin/tagger" ] && [ "$(readlink "$bin/tagger")" = "$prefix/tagger" ]; then
    rm -f "$bin/tagger"
  fi
  rm -f "$entry" "$icon" "$metainfo"
  rm -rf "$prefix"
  refresh_caches
  echo "Uninstalled. Your library and settings are kept in ~/.local/share and ~/.config."
  exit 0
fi

[ -x "$here/tagger" ] || { echo "install.sh: run it from the unpacked folder" >&2; exit 1; }
if [ "$here" != "$prefix" ]; then
  rm -rf "$prefix.new"
  mkdir -p "$(dirname "$prefix")"
  cp -a "$here" "$prefix.new"
  rm -rf "$prefix"
  mv "$prefix.new" "$prefix"
fi

mkdir -p "$bin" "$(dirname "$entry")" "$(dirname "$icon")" "$(dirname "$metainfo")"
ln -sfn "$prefix/tagger" "$bin/tagger"
# The menu does not read the user's shell PATH, so the entry names the executable in full.
sed -e "s|^Exec=tagger |Exec=\"$prefix/tagger\" |" \
  "$prefix/_internal/share/applications/$APP_ID.desktop" >"$entry"
cp "$prefix/_internal/share/metainfo/$APP_ID.metainfo.xml" "$metainfo"
cp "$prefix/_internal/tagger/resources/tagger.svg" "$icon"
refresh_caches

echo "Installed to $prefix."
echo "Start it from the menu (Metal & Hardcore Tagger) or run: tagger"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "Note: $bin is not on your PATH; add it to use \`tagger\` in a terminal." ;;
esac
