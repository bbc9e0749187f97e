#!/bin/sh
# Runs every test with bun's runner and closes with one line "N passed, N failed" (and skipped).
out=$(mktemp)
trap 'rm -f "$out"' EXIT
node_modules/.bin/bun test "$@" 2>&1 | tee "$out"
passed=$(grep -Eo '^ *[0-9]+ pass$' "$out" | tail -n 1 | grep -Eo '[0-9]+')
failed=$(grep -Eo '^ *[0-9]+ fail$' "$out" | tail -n 1 | grep -Eo '[0-9]+')
skipped=$(grep -Eo '^ *[0-9]+ skip$' "$out" | tail -n 1 | grep -Eo '[0-9]+')
passed=${passed:-0}
failed=${failed:-0}
echo
if [ -n "$skipped" ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && grep -q 'Ran [0-9]* tests' "$out"
