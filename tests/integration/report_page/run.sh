#!/usr/bin/env bash
# The report a person or Prometheus looks at: a sample pool report made through the collection's filters,
# then promtool (Debian's prometheus package) checks the fleet textfile and a builder's textfile, the
# example alert rules (check rules) and their unit tests (test rules), and headless Chromium (Debian's
# chromium) renders the HTML page, whose rows must equal the JSON's, without a console message.
#   run.sh [SCREENSHOT]   (scripts/test's report gate; ANSIBLE_COLLECTIONS_PATH must hold the collection)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*} python "$HERE/sample_report.py" "$OUT"
for textfile in "$OUT/mock_lvm.prom" "$OUT/builder-a.prom"; do
  promtool check metrics <"$textfile"
  echo "promtool check metrics: $(basename "$textfile") ($(grep -c '^mock_lvm' "$textfile") samples) OK"
done
# A broken textfile must be refused, or the check above proves nothing.
if printf 'mock_lvm_bad{host="a" 1\n' | promtool check metrics >/dev/null 2>&1; then
  echo "promtool check metrics accepted a broken textfile" >&2; exit 1
fi
promtool check rules "$ROOT/docs/examples/mock_lvm_alerts.yml"
promtool test rules "$HERE/alerts_test.yml"
python "$HERE/check_page.py" "$OUT" ${1:+"$1"}
