"""The six recipe list files are generated from sql/recipes/list_recipes.sql.in by
sql/recipes/generate_lists.py: what is on disk is what the script writes, so a filter is added once,
in the template, never by hand in six places."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.db.queries import SQL_ROOT

SCRIPT = SQL_ROOT / "recipes" / "generate_lists.py"
REGENERATE = "run `python sql/recipes/generate_lists.py` and commit what it writes"
SIX = {
    f"list_{scope}_{sort}.sql"
    for scope in ("recipes", "favorite_recipes")
    for sort in ("newest", "by_calories", "by_total_time")
}


def _generator():
    spec = importlib.util.spec_from_file_location("generate_lists", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _generator()


def test_every_generated_file_is_what_the_script_writes():
    for path, text in generator.generate().items():
        assert path.is_file(), f"{path.name} is missing: {REGENERATE}"
        assert path.read_text() == text, (
            f"{path.name} differs from what generate_lists.py writes from list_recipes.sql.in: "
            f"edit the template or the script, not the file, then {REGENERATE}"
        )


def test_the_generated_files_are_exactly_the_six_lists():
    generated = generator.generate()
    assert {path.name for path in generated} == SIX
    assert {path.parent for path in generated} == {SQL_ROOT / "recipes"}
    marked = {
        path.name for path in (SQL_ROOT / "recipes").glob("*.sql")
        if path.read_text().startswith(generator.GENERATED)
    }
    assert marked == SIX, f"files marked generated that the script does not write: {REGENERATE}"


def test_each_generated_file_starts_with_its_own_header():
    for path, text in generator.generate().items():
        first, header = text.splitlines()[:2]
        assert first == generator.GENERATED.rstrip("\n")
        assert header.startswith(f"-- {path.stem}: ")


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          timeout=60)


def test_check_names_the_stale_files_and_writing_makes_them_current(tmp_path):
    folder = tmp_path / "sql" / "recipes"
    folder.mkdir(parents=True)
    script = Path(shutil.copy(SCRIPT, folder))
    template = Path(shutil.copy(generator.TEMPLATE, folder))

    missing = _run(script, "--check")
    assert missing.returncode == 1
    assert {line.removeprefix("stale: sql/recipes/") for line in missing.stderr.splitlines()
            if line.startswith("stale: ")} == SIX
    assert "python sql/recipes/generate_lists.py" in missing.stderr
    assert not list(folder.glob("*.sql"))

    written = _run(script)
    assert written.returncode == 0, written.stderr
    assert {path.name for path in folder.glob("*.sql")} == SIX
    assert _run(script, "--check").returncode == 0

    # A new filter is one edit in the template, and every list is stale until regenerated.
    text = template.read_text()
    template.write_text(text.replace(
        "{{favorite_filter}}\n",
        "      AND (:'servings'::integer IS NULL OR d.servings = :'servings')\n"
        "{{favorite_filter}}\n",
    ))
    assert _run(script, "--check").returncode == 1
    assert _run(script).returncode == 0
    for path in folder.glob("*.sql"):
        assert "d.servings = :'servings'" in path.read_text()

    # Editing a generated file by hand makes it stale too.
    edited = folder / "list_recipes_newest.sql"
    edited.write_text(edited.read_text() + "\n")
    stale = _run(script, "--check")
    assert stale.returncode == 1
    assert "stale: sql/recipes/list_recipes_newest.sql" in stale.stderr.splitlines()
    assert len([line for line in stale.stderr.splitlines() if line.startswith("stale: ")]) == 1


def test_a_slot_alone_on_its_line_stands_for_whole_lines():
    template = "-- note\n\nA {{x}}\n{{lines}}\nB\n"
    assert generator.render(template, {"x": "1", "lines": ""}) == "A 1\nB\n"
    assert generator.render(template, {"x": "1", "lines": "L1\nL2"}) == "A 1\nL1\nL2\nB\n"


@pytest.mark.parametrize(
    ("template", "values", "problem"),
    [
        ("-- note\n\nA {{x}} {{y}}\n", {"x": "1"}, "slots"),
        ("-- note\n\nA {{x}}\n", {"x": "1", "y": "2"}, "slots"),
        ("-- note, then no blank line\nA {{x}}\n", {"x": "1"}, "no blank line"),
    ],
)
def test_a_template_and_values_that_do_not_match_are_refused(template, values, problem):
    with pytest.raises(ValueError, match=problem):
        generator.render(template, values)


def test_a_list_without_a_header_is_refused(monkeypatch):
    monkeypatch.delitem(generator.HEADERS, "list_recipes_newest")
    with pytest.raises(ValueError, match="headers for"):
        generator.generate()
