"""Installation: which Python the Makefile picks, and locks that match pyproject.toml for each version."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")

needs_make = pytest.mark.skipif(MAKE is None, reason="нет make")


def makefile_versions() -> list[str]:
    found = re.search(r"^PYTHON_VERSIONS := (.+)$", MAKEFILE, re.MULTILINE)
    assert found, "в Makefile нет PYTHON_VERSIONS"
    return found.group(1).split()


def fake_python(folder: Path, name: str, version: str | None) -> Path:
    """A `python3.X` that answers the Makefile's version probe, or fails like a disabled pyenv shim."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if version is None:
        path.write_text(f'#!/bin/sh\necho "pyenv: {name}: command not found" >&2\nexit 127\n')
    else:
        path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(0o755)
    return path


def run_make(tmp_path: Path, *args: str, path: list[Path], **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["PATH"] = os.pathsep.join(str(p) for p in path)
    variables.setdefault("VENV", str(tmp_path / "venv"))
    assigned = [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(
        [MAKE, "-s", "-C", str(REPO), *args, *assigned], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """`date` and `uname`, which `make report` uses, without any python on the same PATH."""
    folder = tmp_path / "tools"
    folder.mkdir()
    for name in ("date", "uname"):
        found = shutil.which(name)
        if found:
            (folder / name).symlink_to(found)
    return folder


@needs_make
def test_newest_supported_python_on_path_is_chosen(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_python(bin_dir, "python3.12", "3.12")
    fake_python(bin_dir, "python3.10", "3.10")
    fake_python(bin_dir, "python3.11", "3.11")
    done = run_make(tmp_path, "print-python", path=[bin_dir])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Python 3.12: python3.12, зависимости из requirements/py3.12.lock"


@needs_make
def test_a_command_that_does_not_run_is_skipped(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_python(bin_dir, "python3.13", None)  # a pyenv shim of a version not enabled
    fake_python(bin_dir, "python3.11", "3.11")
    done = run_make(tmp_path, "print-python", path=[bin_dir])
    assert done.returncode == 0, done.stderr
    assert "Python 3.11: python3.11," in done.stdout


@needs_make
def test_no_supported_python_stops_with_russian_instructions(tmp_path: Path, tools: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_python(bin_dir, "python3.10", "3.10")
    fake_python(bin_dir, "python3.13", None)
    for target in ("print-python", "report", "test"):
        done = run_make(tmp_path, target, path=[bin_dir, tools])
        assert done.returncode != 0
        assert done.stdout == ""
        message = done.stderr
        assert "Не найден Python подходящей версии: нужен 3.13, 3.12 или 3.11" in message
        assert "python3.13, python3.12 или python3.11" in message
        for command in ("sudo apt install python3.11", "sudo dnf install", "brew install python@", "pyenv install"):
            assert command in message
        assert "PYTHON=" in message
    assert not (tmp_path / "venv").exists()


@needs_make
def test_clean_needs_no_python(tmp_path: Path) -> None:
    done = run_make(tmp_path, "-n", "clean", path=[tmp_path / "empty"])
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@needs_make
def test_explicit_python_is_checked_too(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    old = fake_python(bin_dir, "python3.10", "3.10")
    good = fake_python(bin_dir, "python3.12", "3.12")
    done = run_make(tmp_path, "print-python", path=[bin_dir], PYTHON=str(old))
    assert done.returncode != 0
    assert f"PYTHON={old} — это Python 3.10, а нужен 3.13, 3.12 или 3.11" in done.stderr
    done = run_make(tmp_path, "print-python", path=[bin_dir], PYTHON=str(tmp_path / "nowhere"))
    assert "не запускается" in done.stderr
    done = run_make(tmp_path, "print-python", path=[tmp_path / "empty"], PYTHON=str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Python 3.12: {good}, зависимости из requirements/py3.12.lock"


@needs_make
def test_an_existing_environment_of_a_supported_version_is_kept(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_python(bin_dir, "python3.13", "3.13")
    venv = tmp_path / "venv"
    fake_python(venv / "bin", "python", "3.11")
    done = run_make(tmp_path, "print-python", path=[bin_dir])
    assert done.returncode == 0, done.stderr
    assert f"Python 3.11: {venv}/bin/python," in done.stdout


@needs_make
def test_report_installs_the_lock_of_the_chosen_version_and_says_how_to_open(tmp_path: Path, tools: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_python(bin_dir, "python3.12", "3.12")
    venv = tmp_path / "venv"
    fake_python(venv / "bin", "python", "3.10")  # left by an older Makefile: replaced
    done = run_make(tmp_path, "-n", "report", path=[bin_dir, tools], PERIOD="2026-Q3")
    assert done.returncode == 0, done.stderr
    commands = done.stdout
    assert f"python3.12 -m venv --clear {venv}" in commands
    assert f"{venv}/bin/python -m pip install --quiet -r requirements/py3.12.lock" in commands
    assert f"{venv}/bin/report-builder build --period 2026-Q3 --output output/2026-Q3" in commands
    assert "Отчёт: output/2026-Q3/report.pdf и output/2026-Q3/report.html" in commands
    assert re.search(r"Открыть: (xdg-open|open|explorer\.exe) ", commands)


def test_supported_versions_agree_everywhere() -> None:
    """requires-python, the Makefile's list and the lock files name the same versions."""
    requires = SpecifierSet(PYPROJECT["project"]["requires-python"])
    allowed = [f"3.{minor}" for minor in range(40, 5, -1) if requires.contains(f"3.{minor}.0")]
    assert makefile_versions() == allowed
    locks = sorted(p.name for p in (REPO / "requirements").glob("*.lock"))
    assert locks == sorted(f"py{v}.lock" for v in allowed)


def lock_pins(version: str) -> dict[str, str]:
    text = (REPO / "requirements" / f"py{version}.lock").read_text(encoding="utf-8")
    assert "make lock" in text.splitlines()[1], "замки пишет `make lock`"
    pins = {}
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, pinned = line.partition("==")
            assert pinned, f"py{version}.lock: не закреплена версия в строке «{line}»"
            pins[canonicalize_name(name)] = pinned
    return pins


@pytest.mark.parametrize("version", makefile_versions())
def test_each_lock_satisfies_pyproject_for_its_version(version: str) -> None:
    pins = lock_pins(version)
    project = PYPROJECT["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    environment = {"python_version": version, "python_full_version": f"{version}.0", "extra": ""}
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            assert name not in pins, f"py{version}.lock: {name} не нужен на Python {version}"
            continue
        assert name in pins, f"py{version}.lock: нет {name}"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"py{version}.lock: {name}=={pins[name]} не подходит под {line}"


def test_imghdr_backport_only_where_imghdr_is_gone() -> None:
    for version in makefile_versions():
        has_backport = "standard-imghdr" in lock_pins(version)
        assert has_backport == (tuple(map(int, version.split("."))) >= (3, 13))
