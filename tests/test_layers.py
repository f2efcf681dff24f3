"""The layers only point down (README "코드 구성"): import-linter's contract in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_module_imports_a_layer_above_its_own():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_org_access_knows_the_models_above_org_only_through_what_they_register():
    from org import access

    source = (ROOT / "org" / "access.py").read_text()
    for app in ("reports", "budget", "projects", "publishing", "portal"):
        assert f"{app}." not in source.split('"""', 2)[2].replace("e.g.", ""), app
    # ... and yet every department-owned model of every app is in the rule.
    assert access.DEPARTMENT_PATHS["projects.block"] == "card__section__report__department"
    assert access.DEPARTMENT_PATHS["budget.execution"] == "line__department"
    assert access.DEPARTMENT_PATHS["reports.reportversion"] == "report__department"
