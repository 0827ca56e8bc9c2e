#!/usr/bin/env bash
# Regenerates the help blocks of docs/commands.md from the built jar, so the page never drifts from
# `verso <command> --help`. Each block sits between `<!-- help: CMD -->` and `<!-- /help -->`;
# everything else in the page (examples, prose) is left as it is.
#   scripts/gen-command-docs.sh [--check]    --check: exit 1 if the page is out of date
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/verso.jar ] || ./mvnw -q -B package -DskipTests
python3 - "${1:-}" <<'PY'
import re, subprocess, sys
path = "docs/commands.md"
page = open(path, encoding="utf-8").read()
def help_of(match):
    cmd = match.group(1).split()
    out = subprocess.run(["java", "-Dpicocli.usage.width=100", "-jar", "target/verso.jar", *cmd, "--help"],
                         check=True, capture_output=True, text=True).stdout.rstrip()
    return "<!-- help: %s -->\n```\n%s\n```\n<!-- /help -->" % (match.group(1), out)
new = re.sub(r"<!-- help: ?([a-z ]*?) ?-->.*?<!-- /help -->", help_of, page, flags=re.S)
if sys.argv[1] == "--check":
    if new != page:
        sys.exit("docs/commands.md is out of date; run scripts/gen-command-docs.sh")
elif new != page:
    open(path, "w", encoding="utf-8").write(new)
    print("updated " + path)
PY
