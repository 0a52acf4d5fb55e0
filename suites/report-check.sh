#!/bin/sh
# The browser check of the HTML report (`make report-check`): renders
# DIR/index.html in headless Chromium, and fails unless the rendered text
# holds the summary numbers of DIR/results.json and the verdict banner
# that goes with them. Leaves a screenshot in DIR/screenshot.png.
set -eu
dir=${1:-reports}
[ -f "$dir/index.html" ] && [ -f "$dir/results.json" ] ||
  { echo "report-check: $dir/index.html or $dir/results.json missing (make run)"; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$dir" && pwd)/index.html"
# No network, no first-run work, a throwaway profile: the page must stand alone.
chrome() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" "$@" 2>"$profile/stderr"
}
chrome --dump-dom "$url" > "$profile/dom.html" ||
  { echo "report-check: chromium failed"; cat "$profile/stderr"; exit 1; }
# What the page must say, from the JSON it was made from.
python3 - "$dir/results.json" > "$profile/want" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print("%d tests: %d pass, %d fail, %d warning, %d not applicable, %d error" % (
    s["tests"], s["pass"], s["fail"], s["warning"], s["not_applicable"], s["error"]))
print("PASSED: every mandatory test passed" if s["passed"] else "FAILED:")
PY
# The rendered text: the DOM without its tags, one line per text run.
sed -e 's/<[^>]*>/\n/g' "$profile/dom.html" > "$profile/text"
while IFS= read -r line; do
  grep -qF "$line" "$profile/text" ||
    { echo "report-check: the rendered report does not say: $line"; exit 1; }
done < "$profile/want"
chrome --window-size=1280,1600 --hide-scrollbars --screenshot="$dir/screenshot.png" "$url" >/dev/null ||
  { echo "report-check: no screenshot"; cat "$profile/stderr"; exit 1; }
echo "report-check: $dir/index.html renders in chromium and says: $(head -1 "$profile/want")"
echo "report-check: screenshot in $dir/screenshot.png"
