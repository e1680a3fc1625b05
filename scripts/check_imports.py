#!/usr/bin/env python
"""Check the import graph of the project's own code: no cycles, and apps import only downwards.

Read with ``ast``; nothing is imported. Two checks, both failing with exit status 1:

1. **No import cycle at import time.** Module-level imports (``if TYPE_CHECKING:`` blocks
   excluded) form a graph of modules; any strongly connected set of more than one module is a
   cycle. Importing ``a.b.c`` also runs ``a`` and ``a.b`` first, so those count as imported,
   except a module's own ancestor packages: a package re-exporting its submodules
   (``services/__init__.py`` importing ``services.signing``, which imports ``services.lines``)
   is how packages work, not a cycle.
2. **Dependencies point one way** (ARCHITECTURE.md, "Conventions"): every import, including
   the ones inside functions, from one app to another must follow :data:`ALLOWED`. A higher
   app reaches a lower one directly; a lower app learns about a higher one only through a
   registry the lower app offers, which the higher app fills in ``AppConfig.ready()``.

``--write`` regenerates the app diagram in ``docs/imports.md`` from the code (Mermaid, one
arrow per allowed dependency that the code actually uses); without it, the check also fails
when that diagram is out of date. ``make lint`` runs this script; ``tests/unit/test_imports.py``
runs :func:`main` and proves each check catches what it is for.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIAGRAM_PATH = ROOT / "docs" / "imports.md"

# The project's own top-level packages (tests, benchmarks and scripts sit outside the layering).
PACKAGES = ("accounts", "api", "cms", "config", "core", "marketplace", "orgs", "payments", "search")

# app -> the apps it may import. Anything not listed is refused. `config` wires everything.
BOTTOM = ("core",)
ALLOWED = {
    "core": (),
    "accounts": BOTTOM,
    "payments": (*BOTTOM, "accounts"),
    "search": (*BOTTOM, "accounts"),
    # The open data API (issue 19) sits beside search: the apps above declare their resources
    # and public changes in their own resources.py / public_changes.py; api imports none of them.
    "api": (*BOTTOM, "accounts", "search"),
    "cms": (*BOTTOM, "accounts", "search"),
    "marketplace.catalogue": (*BOTTOM, "accounts", "payments", "search", "api", "cms"),
    "marketplace.orders": (*BOTTOM, "accounts", "payments", "search", "api", "cms", "marketplace.catalogue"),
    "marketplace.feedback": (
        *BOTTOM,
        "accounts",
        "payments",
        "search",
        "api",
        "cms",
        "marketplace.catalogue",
        "marketplace.orders",
    ),
    # Memorials and booked visits (issue 17) cite orders and certificates and list cemeteries.
    "marketplace.memorials": (
        *BOTTOM,
        "accounts",
        "payments",
        "search",
        "api",
        "cms",
        "marketplace.catalogue",
        "marketplace.orders",
    ),
    # 惠民殡葬 applications and the 身后一件事 checklist (issue 20): an application cites its order
    # and reaches its bill through a change order (F9) or a refund; the checklist shows the
    # order, the certificates, the memorial and the booked visits live.
    "marketplace.benefits": (
        *BOTTOM,
        "accounts",
        "payments",
        "search",
        "api",
        "cms",
        "marketplace.catalogue",
        "marketplace.orders",
        "marketplace.memorials",
    ),
    "orgs.registry": (*BOTTOM, "accounts", "payments", "search", "api", "cms"),
    "orgs.reports": (*BOTTOM, "accounts", "payments", "search", "api", "cms", "orgs.registry"),
    "orgs.credit": (*BOTTOM, "accounts", "payments", "search", "api", "cms", "orgs.registry", "orgs.reports"),
    # C3 (spending ratios) is computed on the annual report's financial statements, so the
    # charity section reads accepted reports: registry <- reports <- charity. Reports never
    # imports charity; charity's own disclosures reach the profile through registry's hook.
    "orgs.charity": (
        *BOTTOM,
        "accounts",
        "payments",
        "search",
        "api",
        "cms",
        "orgs.registry",
        "orgs.reports",
    ),
    # The incubator (issue 16) checks eligibility against the registry, the annual reports and
    # the credit record, through their public service functions: registry <- incubator.
    "orgs.incubator": (
        *BOTTOM,
        "accounts",
        "payments",
        "search",
        "api",
        "cms",
        "orgs.registry",
        "orgs.reports",
        "orgs.credit",
    ),
    # Registration and electronic licences (issue 21, S9): the licence follows the registry's
    # changes through its listener hook; an approval records credit (S4) and checks the S6 list.
    "orgs.licensing": (
        *BOTTOM,
        "accounts",
        "payments",
        "search",
        "api",
        "cms",
        "orgs.registry",
        "orgs.reports",
        "orgs.credit",
    ),
}
# The wiring: the project (`config`) and the project-wide management commands in `core`
# (loading every app's demo data, backups) may import any app; no app imports them.
WIRING = ("config", "core.management")


def app_of(module):
    """The app a dotted module name belongs to (``marketplace.orders.services.x`` → its app)."""
    for wiring in WIRING:
        if module == wiring or module.startswith(wiring + "."):
            return wiring
    parts = module.split(".")
    if parts[0] in ("marketplace", "orgs") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def discover(root=ROOT):
    """Every module of the project: dotted name → (path, is_package). Migrations are left out:
    they import nothing of ours that matters for layering and are frozen history."""
    modules = {}
    for package in PACKAGES:
        base = root / package
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            if "migrations" in rel.parts or "__pycache__" in rel.parts:
                continue
            parts = list(rel.parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            modules[".".join(parts)] = (path, is_package)
    return modules


def _is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(body, top_level):
    """Yield (node, top_level) for every import statement, descending into blocks and bodies."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, top_level
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            continue
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(node.body, False)
        elif isinstance(node, ast.ClassDef):
            yield from _walk(node.body, top_level)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _walk(getattr(node, field, []) or [], top_level)


def imports_of(module, path, is_package, known):
    """(target module, line, top_level) for each import of a project module by ``module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node, top_level in _walk(tree.body, True):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            if node.level:
                anchor = package.split(".")
                if node.level > 1:
                    anchor = anchor[: -(node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            # The longest known prefix: `from a.b import c` is a.b.c if that is a module, else a.b.
            parts = name.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                found.append((".".join(parts), node.lineno, top_level))
    return found


def _ancestors(module):
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def graph(modules):
    """Module-level edges (for cycles) and all edges with their lines (for layering)."""
    edges = {name: set() for name in modules}
    all_imports = []
    for name, (path, is_package) in modules.items():
        own_ancestors = _ancestors(name)
        for target, line, top_level in imports_of(name, path, is_package, modules):
            if target == name:
                continue
            all_imports.append((name, target, line))
            if top_level:
                for runs in {target} | _ancestors(target):
                    if runs in modules and runs not in own_ancestors and runs != name:
                        edges[name].add(runs)
    return edges, all_imports


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return sorted(result)


def layering_problems(all_imports, modules, root=ROOT):
    problems = []
    for source, target, line in all_imports:
        src_app, dst_app = app_of(source), app_of(target)
        if src_app == dst_app or src_app in WIRING:
            continue
        if dst_app in WIRING:
            problems.append(f"{source}: imports {target}, which wires the project; nothing may import it")
        elif src_app not in ALLOWED:
            problems.append(
                f"{source}: app {src_app!r} is not in the layering table (scripts/check_imports.py)"
            )
        elif dst_app not in ALLOWED[src_app]:
            path = modules[source][0].relative_to(root)
            problems.append(
                f"{path}:{line}: {src_app} imports {target}, but may import only {ALLOWED[src_app]}"
            )
    return sorted(set(problems))


def diagram(all_imports):
    """The app graph in Mermaid, from the imports that exist (the wiring left out: it imports all)."""
    arrows = sorted(
        {
            (app_of(target), app_of(source))
            for source, target, _line in all_imports
            if app_of(source) != app_of(target) and app_of(source) not in WIRING
        }
    )
    lines = [
        "# Import diagram",
        "",
        "Generated by `scripts/check_imports.py --write` from the code; `make lint` fails when it",
        "is out of date, when an app imports one it may not (the table in the script, from",
        "ARCHITECTURE.md), or when module-level imports form a cycle. An arrow `a --> b` means",
        "`b` imports `a`: everything points up from the bottom apps.",
        "",
        "```mermaid",
        "flowchart BT",
    ]
    lines += [f"    {a.replace('.', '_')}[{a}] --> {b.replace('.', '_')}[{b}]" for a, b in arrows]
    lines += ["```", ""]
    return "\n".join(lines)


def main(argv=None, root=ROOT):
    argv = list(sys.argv[1:] if argv is None else argv)
    modules = discover(root)
    edges, all_imports = graph(modules)
    problems = [f"import cycle: {' -> '.join(c)}" for c in cycles(edges)]
    problems += layering_problems(all_imports, modules, root)
    text = diagram(all_imports)
    diagram_path = root / DIAGRAM_PATH.relative_to(ROOT)
    if "--write" in argv:
        diagram_path.write_text(text, encoding="utf-8")
    elif not diagram_path.exists() or diagram_path.read_text(encoding="utf-8") != text:
        problems.append(
            f"{DIAGRAM_PATH.relative_to(ROOT)} is out of date: run scripts/check_imports.py --write"
        )
    if problems:
        print(f"{len(problems)} problem(s) in the import graph:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"import graph: {len(modules)} modules, no cycles, every app imports downwards only.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
