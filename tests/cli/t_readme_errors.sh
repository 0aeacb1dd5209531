# The README's "Errors" table and tests/cli/t_errors.sh list the same cases, and each test's
# expected fragment (minus the temporary directory) appears in the README's message.
if ! command -v python3 >/dev/null; then skip "README errors table" "no python3"; else
  if why=$(python3 - "$here/t_errors.sh" README.md <<'PY'
import re, sys
tests = {}
for line in open(sys.argv[1]):
    m = re.match(r'expect_error "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"', line)
    if m:
        want = m.group(2).replace('\\"', '"').replace("$T/", "").replace("$T", "")
        tests[m.group(1).replace('\\"', '"')] = want
text = open(sys.argv[2]).read()
sec = text.split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
rows = dict(re.findall(r"^\| (.+?) \| `(.+)` \|$", sec, re.M))
bad = [f"not in README: {n}" for n in tests if n not in rows]
bad += [f"not in t_errors.sh: {n}" for n in rows if n not in tests]
bad += [f"{n}: README message lacks \"{w}\"" for n, w in tests.items() if n in rows and w not in rows[n]]
print("; ".join(bad))
sys.exit(1 if bad or not tests else 0)
PY
  ); then ok "README errors table matches t_errors.sh"; else fail "README errors table matches t_errors.sh" "$why"; fi
fi
