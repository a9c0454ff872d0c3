#!/usr/bin/env bash
# Smoke test of a built bundle, as a user with no Python of ours would run it.
#
#   packaging/smoke-test.sh BUNDLE_DIR [SCREENSHOT.png]
#
# BUNDLE_DIR holds the `tagger` executable (dist/tagger, or /opt/metal-hardcore-tagger after
# the .deb). Every command runs under `env -i` with only PATH (the bundle and the system
# folders, no virtualenv), HOME (a fresh one) and DISPLAY. It renders a few real tagged audio
# files with the bundle's own demo-corpus command, then: --version, classify --json, a scan into
# a new library, a one-epoch training and its evaluation, and the window under Xvfb (found with
# xdotool by the app's process id and title, screenshotted, its media backend checked, closed
# with Ctrl+Q and expected to exit 0). Needs Xvfb, xdotool and ImageMagick's `import` (Debian:
# xvfb xdotool imagemagick) for the window part; set SMOKE_SKIP_GUI=1 where there is no X
# server (the macOS and Windows CI runners). SMOKE_WINDOW_CPU_S (60) bounds the app's CPU
# seconds until its window shows, SMOKE_WINDOW_WALL_S (600) the seconds of a hang.
set -euo pipefail

bundle=$(cd "${1:?usage: smoke-test.sh BUNDLE_DIR [SCREENSHOT.png]}" && pwd)
screenshot=${2:-}
exe="$bundle/tagger"
[ -x "$exe" ] || exe="$bundle/tagger.exe"
[ -x "$exe" ] || { echo "smoke: no tagger executable in $bundle" >&2; exit 1; }

work=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home"

step() { printf '\n== smoke: %s\n' "$*"; }
# The window step's limits: the app's own CPU seconds, and a wall-clock bound for a hang.
WINDOW_CPU_S=${SMOKE_WINDOW_CPU_S:-60}
WINDOW_WALL_S=${SMOKE_WINDOW_WALL_S:-600}
# User + system CPU seconds the app has used so far (Linux: /proc; the window step is Linux-only).
app_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) / hz) }' "/proc/$app_pid/stat" \
    2>/dev/null || echo 0
}
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

# The clean environment: the bundle first on PATH, then only system folders.
clean_path="$bundle:/usr/local/bin:/usr/bin:/bin"
# Windows programs cannot start without SYSTEMROOT and friends; its user folders are fresh too.
windows_env=()
case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*)
    windows_env=(SYSTEMROOT="$SYSTEMROOT" WINDIR="$WINDIR" TEMP="$TEMP" TMP="$TMP"
      USERPROFILE="$work/home" APPDATA="$work/home/AppData/Roaming"
      LOCALAPPDATA="$work/home/AppData/Local")
    ;;
esac
run_clean() {
  env -i PATH="$clean_path" HOME="$work/home" ${DISPLAY:+DISPLAY="$DISPLAY"} \
    "${windows_env[@]}" "$@"
}

step "no virtualenv or project Python on PATH"
case ":$clean_path:" in *venv*) fail "a virtualenv is on PATH: $clean_path" ;; esac
found=$(run_clean sh -c 'command -v tagger')
[[ $found == "$bundle/tagger"* ]] || fail "tagger on PATH is $found, not the bundle's"

step "tagger --version"
version=$(run_clean tagger --version)
echo "$version"
[[ $version =~ ^tagger\ [0-9]+\.[0-9]+ ]] || fail "unexpected version line: $version"

step "render real tagged audio files with the bundle (spawned worker processes)"
run_clean tagger demo-corpus "$work/music" --tracks 12 --seed 1 --workers 2 \
  --min-seconds 8 --max-seconds 12
clip=$(find "$work/music" -name '*.mp3' | sort | head -1)
[ -n "$clip" ] || fail "demo-corpus wrote no mp3"

step "tagger classify $(basename "$clip") --json"
json=$(run_clean tagger classify "$clip" --json)
echo "$json" | cut -c1-300
[[ $json == *'"label": "metal"'* || $json == *'"label": "hardcore"'* ]] ||
  fail "classify printed no label"
[[ $json == *'"segments"'* && $json != *'"error"'* ]] || fail "classify JSON incomplete"

step "scan the folder into a new library"
run_clean tagger scan "$work/music" --db "$work/library.db" --workers 2
stats=$(run_clean tagger list --db "$work/library.db" --format json)
classified=$(grep -o '"label": "\(metal\|hardcore\)"' <<<"$stats" | wc -l)
echo "$classified of 12 tracks classified"
[ "$classified" -eq 12 ] || fail "expected 12 classified tracks, got $classified"

if [ "${SMOKE_SKIP_TRAINING:-0}" != 1 ]; then
  step "train one epoch and evaluate it (torch training in the bundle)"
  # The split is by artist and the demo bands have 3 to 8 tracks: 40 tracks give every class
  # bands for training, validation and test.
  run_clean tagger demo-corpus "$work/training" --tracks 40 --seed 2 --workers 2 \
    --min-seconds 4 --max-seconds 6
  run_clean tagger train "$work/training" --out "$work/mine.safetensors" --epochs 1 \
    --windows-per-track 4 --workers 2 --seed 0
  run_clean tagger evaluate "$work/mine.safetensors" "$work/training" \
    --report "$work/report" --workers 2
  [ -s "$work/report/report.md" ] || fail "evaluate wrote no report"
fi

if [ "${SMOKE_SKIP_GUI:-0}" != 1 ]; then
  step "the window under Xvfb"
  if [ -z "${DISPLAY:-}" ]; then
    display=":$((90 + RANDOM % 400))"
    Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
    xvfb_pid=$!
    export DISPLAY=$display
    for _ in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  # Started as a plain background command (not through the run_clean function), so $! is the
  # app's own process id: env and the onedir bootloader exec, they do not fork.
  started=$SECONDS
  env -i PATH="$clean_path" HOME="$work/home" DISPLAY="$DISPLAY" \
    tagger gui --db "$work/library.db" >"$work/gui.log" 2>&1 &
  app_pid=$!
  # The window is found by the app's process id and its file name, not by the app's name: Qt
  # writes the full title "library.db — Metal & Hardcore Tagger" only into _NET_WM_NAME, while
  # the ICCCM WM_NAME that `xdotool search --name` matches holds the document part alone
  # ("library.db"); the one window named "Metal & Hardcore Tagger" there is Qt's unmapped 1x1
  # group leader, which --onlyvisible rightly skips, so a search for the app's name never ends.
  #
  # The wait is bounded by the app's own CPU time, not the clock: the start takes about 1.5 s
  # of CPU, but a niced app on a machine busy with other work waited 50-130 s for it (measured
  # at load 13). The clock bounds only a hang that uses no CPU at all.
  window=""
  while [ -z "$window" ]; do
    kill -0 "$app_pid" 2>/dev/null || { cat "$work/gui.log"; fail "the app exited at start"; }
    [ "$(app_cpu_seconds)" -lt "$WINDOW_CPU_S" ] ||
      { cat "$work/gui.log"; fail "no main window after ${WINDOW_CPU_S} s of the app's CPU"; }
    [ $((SECONDS - started)) -lt "$WINDOW_WALL_S" ] ||
      { cat "$work/gui.log"; fail "no main window within ${WINDOW_WALL_S} s"; }
    sleep 0.25
    window=$(xdotool search --all --onlyvisible --pid "$app_pid" --name '^library\.db$' \
      2>/dev/null | head -1) || true
  done
  title=$(xdotool getwindowname "$window") # _NET_WM_NAME: the title the user sees
  echo "main window after $((SECONDS - started)) s ($(app_cpu_seconds) s of CPU): $title"
  [[ $title == "library.db — Metal & Hardcore Tagger" ]] || fail "unexpected title: $title"
  sleep 2 # let the table fill before the picture
  if [ -n "$screenshot" ]; then
    import -window root "$screenshot"
    echo "screenshot: $screenshot"
  fi
  # Qt prints this when no media backend loads (the FFmpeg plugin or a library it links is
  # missing from the bundle): the review preview would stay silent.
  if grep -q "No QtMultimedia backends found" "$work/gui.log"; then
    cat "$work/gui.log"
    fail "QtMultimedia's FFmpeg backend did not load"
  fi

  step "quit with Ctrl+Q"
  xdotool windowfocus --sync "$window" key --clearmodifiers ctrl+q
  asked=$SECONDS
  while kill -0 "$app_pid" 2>/dev/null; do
    [ $((SECONDS - asked)) -lt "$WINDOW_WALL_S" ] ||
      { cat "$work/gui.log"; fail "the app did not quit on Ctrl+Q"; }
    sleep 0.2
  done
  status=0
  wait "$app_pid" || status=$?
  app_pid=""
  [ "$status" -eq 0 ] || { cat "$work/gui.log"; fail "the app exited with status $status"; }
  echo "quit after $((SECONDS - asked)) s with exit status 0"
  if [ -s "$work/gui.log" ]; then
    echo "the app's output:"
    cat "$work/gui.log"
  fi
fi

printf '\nsmoke: all passed (%s)\n' "$version"
