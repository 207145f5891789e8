#!/usr/bin/env bash
# Runs schemathesis against a running share-server's served OpenAPI description.
#
# How xtask should call it:
#
#   1. python3 -m venv <venv> && <venv>/bin/pip install -r tests/server/requirements.txt
#   2. start the server binary on loopback with a fresh data directory, a web
#      directory that has share.html and embed.html (the /s/ and /e/ pages), and the
#      rate limits off, which schemathesis would otherwise mostly meet as 429s:
#        share-server --listen 127.0.0.1:0 --data-dir <tmp> --web-dir <dir> \
#          --create-per-minute 0 --reads-per-minute 0
#      and read the base URL from its "listening on http://…" stdout line;
#   3. tests/server/schemathesis.sh http://127.0.0.1:<port> <venv>/bin/python
#   4. stop the server. The exit status is non-zero on any 5xx, schema violation or
#      other failed check; the last line of output is exactly "N passed, N failed"
#      (N = JUnit test cases: one per API operation, plus one for the stateful phase).
#
# Bounded: every phase shares SCHEMATHESIS_MAX_TIME_S (default 120 s), and each
# request times out after 10 s.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <server base URL> <venv python>" >&2
    exit 2
fi
base_url="${1%/}"
python="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-50}"
max_time_s="${SCHEMATHESIS_MAX_TIME_S:-120}"
report_dir="$(mktemp -d)"
trap 'rm -rf "$report_dir"' EXIT

# --checks all: every check applies to this API. The one setting that differs from
# the defaults (410/416 accepted for valid requests) is explained in schemathesis.toml.
status=0
# From the temporary directory: schemathesis keeps a cache (.schemathesis/) in its
# working directory, which must not litter the repository.
cd "$report_dir"
"$python" -m schemathesis.cli --config-file "$here/schemathesis.toml" run "$base_url/api/openapi.json" \
    --checks all \
    --max-examples "$max_examples" \
    --max-time "$max_time_s" \
    --request-timeout 10 \
    --seed "${SCHEMATHESIS_SEED:-20261201}" \
    --no-color \
    --report junit --report-junit-path "$report_dir/junit.xml" \
    || status=$?

# One testcase per API operation (and one for the stateful phase); failures and
# errors count as failed.
counts="$("$python" - "$report_dir/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

try:
    cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
except (OSError, ET.ParseError):
    print("0 0")
    sys.exit(0)
passed = failed = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is None:
        passed += 1
print(passed, failed)
PY
)"
read -r passed failed <<<"$counts"
if [[ $status -eq 0 && $failed -ne 0 ]]; then
    status=1
fi
if [[ $status -ne 0 && $failed -eq 0 ]]; then
    # schemathesis failed without a per-operation failure (a stateful failure, an
    # unreachable schema, a crash): count it so the summary never reads as clean.
    failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
