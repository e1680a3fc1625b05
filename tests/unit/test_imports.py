"""scripts/check_imports.py (issue 13): the import graph has no cycle and points downwards.

Each check is proved on a small tree written to a temporary directory, so a broken check
can't pass silently on the real tree."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_imports.py"


@pytest.fixture(scope="module")
def check_imports():
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    return root


BASE = {
    "core/__init__.py": "",
    "core/models.py": "",
    "marketplace/__init__.py": "",
    "marketplace/catalogue/__init__.py": "",
    "marketplace/orders/__init__.py": "",
}


def test_the_project_has_no_import_cycle_and_imports_point_downwards(check_imports, capsys):
    assert check_imports.main([]) == 0, capsys.readouterr().err


def test_a_module_level_cycle_is_reported(check_imports, tmp_path, capsys):
    root = _tree(
        tmp_path,
        BASE
        | {
            "core/warnings.py": "from core.models import Thing\n",
            "core/models.py": "from core import warnings\n",
        },
    )
    assert check_imports.main(["--write"], root=root) == 1
    assert "import cycle: core.models -> core.warnings" in capsys.readouterr().err


def test_a_cycle_through_a_package_that_re_exports_is_reported(check_imports, tmp_path, capsys):
    # pdfs -> services.lines runs services/__init__, which imports signing, which imports pdfs.
    root = _tree(
        tmp_path,
        BASE
        | {
            "marketplace/orders/pdfs.py": "from .services.lines import totals\n",
            "marketplace/orders/services/__init__.py": "from .signing import sign\n",
            "marketplace/orders/services/lines.py": "",
            "marketplace/orders/services/signing.py": "from .. import pdfs\nfrom .lines import totals\n",
        },
    )
    assert check_imports.main(["--write"], root=root) == 1
    assert "import cycle: marketplace.orders.pdfs -> marketplace.orders.services" in capsys.readouterr().err


def test_a_package_importing_its_own_submodules_and_imports_inside_functions_are_not_cycles(
    check_imports, tmp_path
):
    root = _tree(
        tmp_path,
        BASE
        | {
            "marketplace/orders/services/__init__.py": "from .signing import sign\n",
            "marketplace/orders/services/lines.py": "",
            "marketplace/orders/services/signing.py": "from .lines import totals\nfrom . import lines\n",
            "core/warnings.py": "def refresh():\n    from core.models import Thing\n",
            "core/models.py": "from core import warnings\n",
        },
    )
    assert check_imports.main(["--write"], root=root) == 0


def test_a_lower_app_importing_a_higher_one_is_refused_even_inside_a_function(
    check_imports, tmp_path, capsys
):
    root = _tree(
        tmp_path,
        BASE
        | {
            "marketplace/catalogue/views.py": "def page():\n    from marketplace.orders.models import Order\n",
            "marketplace/orders/models.py": "",
        },
    )
    assert check_imports.main(["--write"], root=root) == 1
    err = capsys.readouterr().err
    assert "marketplace/catalogue/views.py:2: marketplace.catalogue imports marketplace.orders.models" in err


def test_the_diagram_must_match_the_code(check_imports, tmp_path, capsys):
    root = _tree(
        tmp_path, BASE | {"marketplace/orders/views.py": "from marketplace.catalogue import models\n"}
    )
    assert check_imports.main(["--write"], root=root) == 0
    diagram = (root / "docs" / "imports.md").read_text(encoding="utf-8")
    assert (
        "marketplace_catalogue[marketplace.catalogue] --> marketplace_orders[marketplace.orders]" in diagram
    )
    (root / "marketplace/orders/views.py").write_text("from core import models\n", encoding="utf-8")
    assert check_imports.main([], root=root) == 1
    assert "docs/imports.md is out of date" in capsys.readouterr().err
