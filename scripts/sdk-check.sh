#!/usr/bin/env bash
# CI: regenerate the SDK and fail if it differs from what is committed (changed or new files).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run -s sdk:generate
git diff --exit-code -- sdk/
untracked=$(git ls-files --others --exclude-standard -- sdk/)
if [ -n "$untracked" ]; then echo "sdk:check: generated files not committed:"; echo "$untracked"; exit 1; fi
echo "sdk:check: the committed SDK is what codegen generates"
