"""The layout that shows the design: dependencies run one way, and no import hides inside a function."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = ("pekalongan_training", "programs", "participants", "reports")


def _function_level_imports():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").split(".")[0] in APPS:
                        yield f"{path.relative_to(ROOT)}:{inner.lineno} from {inner.module}"
                    elif isinstance(inner, ast.Import) and any(a.name.split(".")[0] in APPS for a in inner.names):
                        yield f"{path.relative_to(ROOT)}:{inner.lineno} import"


def test_no_import_of_the_project_inside_a_function():
    assert list(_function_level_imports()) == []


def test_the_apps_import_only_the_apps_below_them():
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout
