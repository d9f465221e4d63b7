#!/usr/bin/env bash
# The install a new user makes: build the wheel, install it WITHOUT extras into a fresh venv in a
# temporary directory, and run the main job from it (issue 12). Fails on the first command that fails.
# Usage: scripts/plain_install.sh [PYTHON]   (default python3; CI runs it before `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
python="${1:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$python" -m venv "$tmp/venv"
bin="$tmp/venv/bin"
"$bin/python" -m pip install --quiet --upgrade pip
"$bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$tmp/dist" "$repo"
"$bin/python" -m pip install --quiet "$tmp/dist"/sekisho-*.whl

cd "$tmp"  # nothing of the checkout on sys.path
where="$("$bin/python" -c 'import sekisho; print(sekisho.__file__)')"
case "$where" in "$tmp"/venv/*) ;; *) echo "plain install: sekisho imported from $where" >&2; exit 1 ;; esac
for extra_module in weasyprint fastapi uvicorn; do
    if "$bin/python" -c "import $extra_module" 2>/dev/null; then
        echo "plain install: $extra_module came without its extra" >&2
        exit 1
    fi
done

set -x
"$bin/sekisho" --help >/dev/null
"$bin/sekisho" services >/dev/null
"$bin/sekisho" scan "$repo/samples/logs" --db "$tmp/x.duckdb" >/dev/null
"$bin/sekisho" report --html "$tmp/r.html" --db "$tmp/x.duckdb"
grep -q "</html>" "$tmp/r.html"
set +x

# The extras' commands say which extra to install, in one line, exit 1.
for cmd in "report --pdf $tmp/r.pdf --db $tmp/x.duckdb:pdf" "serve --port 1:web"; do
    args="${cmd%:*}" extra="${cmd##*:}"
    set +e
    # shellcheck disable=SC2086
    out="$("$bin/sekisho" $args 2>&1)"
    rc=$?
    set -e
    if [ "$rc" -ne 1 ] || ! grep -qF "pip install 'sekisho[$extra]'" <<<"$out" || [ "$(wc -l <<<"$out")" -ne 1 ]; then
        echo "plain install: 'sekisho $args' should fail in one line naming sekisho[$extra]; got rc=$rc:" >&2
        echo "$out" >&2
        exit 1
    fi
done
echo "plain install: ok ($("$bin/python" -m pip list --format=freeze 2>/dev/null | wc -l) packages)"
