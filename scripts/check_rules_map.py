#!/usr/bin/env python
"""Check docs/rules.md, the map from each rule in RULES.md to its settings, code and tests.

Fails (exit status 1, with the list of problems) when:
- a rule id of RULES.md has no row, or has two;
- a function path doesn't import (``package.module.function`` or ``…Class.method``; a name a
  package re-exports counts, since the path is resolved by attribute access);
- a test ``path::name`` names a file that doesn't exist or has no test function of that name
  (read with ``ast``, so nothing is imported; parametrized ids are stripped);
- a built rule has no function or no test; a rule not built yet says anything but
  ``not built yet`` in those cells;
- a setting named in a row doesn't exist, or a rule setting of ``config/settings/rules.py``
  (named ``<rule id>_…``) is missing from its rule's row.

Usage: ``scripts/check_rules_map.py [path/to/rules.md]`` (Django is set up with
``DJANGO_SETTINGS_MODULE``, by default ``config.settings.dev``). ``make lint`` runs it, and
``tests/unit/test_rules_map.py`` calls :func:`main`.
"""

import ast
import importlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAP_PATH = ROOT / "docs" / "rules.md"
RULE_SETTINGS_PATH = ROOT / "config" / "settings" / "rules.py"

# Every rule of RULES.md, in its order.
RULE_IDS = (
    *(f"F{n}" for n in range(1, 12)),
    "M1",
    "M2",
    "M3",
    "R1",
    "R2",
    "B1",
    *(f"S{n}" for n in range(1, 10)),
    "I1",
    "I2",
    *(f"C{n}" for n in range(1, 5)),
)
NOT_BUILT = "not built yet"
RULE_ID = re.compile(r"^[A-Z]\d{1,2}$")
CODE = re.compile(r"`([^`]+)`")


def setup_django():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def parse_rows(text):
    """(rule id, {column: cell text}) for every table row whose first cell is a rule id."""
    rows, header = [], None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = [cell.lower() for cell in cells]
            continue
        if RULE_ID.match(cells[0]):
            rows.append((cells[0], dict(zip(header, cells, strict=False))))
    return rows


def resolve(path):
    """Import the longest module prefix of a dotted path, then follow attributes."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            target = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and not module_name.startswith(exc.name) and exc.name != module_name:
                raise  # the module exists but one of its own imports is missing
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(f"no module in {path!r}")


def test_names(path):
    """Names of the test functions in a test file (module level and in classes)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
    }


def rule_setting_names():
    """The settings of config/settings/rules.py named after a rule (``F2_…``), by rule id."""
    tree = ast.parse(RULE_SETTINGS_PATH.read_text(encoding="utf-8"))
    names = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                match = isinstance(target, ast.Name) and re.match(r"^([A-Z]\d{1,2})_", target.id)
                if match:
                    names.setdefault(match.group(1), []).append(target.id)
    return names


def check(map_path=MAP_PATH):
    """The list of problems with the rules map (empty when it is right)."""
    from django.conf import settings

    problems = []
    rows = parse_rows(Path(map_path).read_text(encoding="utf-8"))
    seen = {}
    test_cache = {}
    for rule, row in rows:
        if rule in seen:
            problems.append(f"{rule}: listed twice")
        seen[rule] = row
        if rule not in RULE_IDS:
            problems.append(f"{rule}: not a rule of RULES.md")
        functions_cell, tests_cell = row.get("functions", ""), row.get("tests", "")
        if functions_cell.startswith(NOT_BUILT) or tests_cell.startswith(NOT_BUILT):
            if not (functions_cell.startswith(NOT_BUILT) and tests_cell == NOT_BUILT):
                problems.append(
                    f"{rule}: a rule not built yet says exactly '{NOT_BUILT}' in functions and tests"
                )
            if "issue" not in functions_cell:
                problems.append(f"{rule}: a rule not built yet names the issue that builds it")
            continue
        functions = CODE.findall(functions_cell)
        tests = CODE.findall(tests_cell)
        if not functions:
            problems.append(f"{rule}: a built rule needs at least one function")
        if not tests:
            problems.append(f"{rule}: a built rule needs at least one test")
        for path in functions:
            try:
                resolve(path)
            except (ImportError, AttributeError) as exc:
                problems.append(f"{rule}: function {path} does not exist ({type(exc).__name__}: {exc})")
        for test in tests:
            file_part, _sep, name = test.partition("::")
            name = name.split("[", 1)[0]
            test_file = ROOT / file_part
            if not name or not file_part.startswith("tests/"):
                problems.append(f"{rule}: {test} is not tests/…::test_name")
                continue
            if not test_file.is_file():
                problems.append(f"{rule}: test file {file_part} does not exist")
                continue
            if test_file not in test_cache:
                test_cache[test_file] = test_names(test_file)
            if name not in test_cache[test_file]:
                problems.append(f"{rule}: test {name} not found in {file_part}")
        for name in CODE.findall(row.get("settings", "")):
            if not hasattr(settings, name):
                problems.append(f"{rule}: setting {name} does not exist")
    for rule in RULE_IDS:
        if rule not in seen:
            problems.append(f"{rule}: no row in the rules map")
    for rule, names in rule_setting_names().items():
        listed = set(CODE.findall(seen.get(rule, {}).get("settings", "")))
        for name in names:
            if name not in listed:
                problems.append(f"{rule}: setting {name} (config/settings/rules.py) is not listed in its row")
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    setup_django()
    map_path = Path(argv[0]) if argv else MAP_PATH
    problems = check(map_path)
    if problems:
        print(f"{map_path}: {len(problems)} problem(s) in the rules map:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{map_path}: every rule maps to settings, functions and tests that exist.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
