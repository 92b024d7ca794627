"""The tool touches only its own files: refusals, ownership, faults, signals and concurrent builds."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SMALL_BUILD
import report_builder.output as output
from report_builder.errors import BuildBusy, Interrupted, OutputError
from report_builder.output import OWN_DIR, claim_output

CLI = [sys.executable, "-m", "report_builder"]


def tree(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` with its content digest."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if key == f"{OWN_DIR}/lock":
            found[key] = "<lock: the pid of the last build>"
        else:
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    return found


def users_folder(root: Path) -> Path:
    """A folder a person already keeps things in."""
    folder = root / "Рабочий стол"
    (folder / "photos").mkdir(parents=True)
    (folder / "thesis.docx").write_bytes(os.urandom(4096))
    (folder / "photos" / "kitten.jpg").write_bytes(os.urandom(2048))
    (folder / "notes.pdf").write_bytes(b"%PDF my notes")
    (folder / ".hidden").write_text("mine", encoding="utf-8")
    return folder


def publish(folder: Path, files: dict[str, bytes], inputs: Path | None = None) -> list[Path]:
    with claim_output(folder, inputs) as out:
        return out.publish(files)


def ours(folder: Path) -> dict[str, str]:
    return json.loads((folder / OWN_DIR / "manifest.json").read_text(encoding="utf-8"))["files"]


OLD = {"report.html": b"<html>old</html>", "report.pdf": b"%PDF old", "summary.json": b'{"period": "old"}'}
NEW = {"report.html": b"<html>new</html>", "report.pdf": b"%PDF new", "summary.json": b'{"period": "new"}'}


# --- ownership --------------------------------------------------------------------------------


def test_users_files_survive_and_ours_are_replaced_as_a_set(tmp_path: Path) -> None:
    folder = users_folder(tmp_path)
    before = tree(folder)
    publish(folder, OLD)
    publish(folder, NEW)
    after = tree(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    for name, content in NEW.items():
        assert (folder / name).read_bytes() == content
    assert set(after) - set(before) == {*NEW, OWN_DIR, f"{OWN_DIR}/lock", f"{OWN_DIR}/manifest.json"}
    assert ours(folder) == {n: hashlib.sha256(c).hexdigest() for n, c in NEW.items()}


def test_stale_own_files_go_and_nothing_else(tmp_path: Path) -> None:
    folder = users_folder(tmp_path)
    publish(folder, {**OLD, "profile.html": b"<html>profile</html>"})
    publish(folder, NEW)  # e.g. --no-profile this time
    assert not (folder / "profile.html").exists()
    assert (folder / "notes.pdf").read_bytes() == b"%PDF my notes"


def test_a_users_file_with_our_name_stops_the_build_untouched(tmp_path: Path) -> None:
    folder = users_folder(tmp_path)
    (folder / "report.pdf").write_bytes(b"%PDF the user's own report")
    before = tree(folder)
    with pytest.raises(OutputError, match="report.pdf"):
        publish(folder, NEW)
    assert tree(folder) == before


def test_a_file_the_user_edited_is_theirs_now(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    publish(folder, OLD)
    (folder / "summary.json").write_bytes(b'{"edited": true}')
    with pytest.raises(OutputError, match="изменён после сборки"):
        publish(folder, NEW)
    assert (folder / "summary.json").read_bytes() == b'{"edited": true}'
    assert (folder / "report.html").read_bytes() == OLD["report.html"]
    # Not rewritten, so a stale file the user edited stays too.
    (folder / "summary.json").write_bytes(OLD["summary.json"])
    publish(folder, {**OLD, "extra.csv": b"1"})
    (folder / "extra.csv").write_bytes(b"2")
    publish(folder, OLD)
    assert (folder / "extra.csv").read_bytes() == b"2"


# --- refused paths ----------------------------------------------------------------------------


def test_an_existing_file_as_output_is_refused_and_unchanged(tmp_path: Path) -> None:
    file = tmp_path / "report.pdf"
    file.write_bytes(b"%PDF precious")
    with pytest.raises(OutputError, match="это файл, а не папка"):
        publish(file, NEW)
    assert file.read_bytes() == b"%PDF precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


@pytest.mark.parametrize("inside", ["", "reports", "reports/2026-Q4"])
def test_the_data_folder_and_folders_inside_it_are_refused(tmp_path: Path, inside: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("market_file.csv", "market_money.csv", "market_time.csv", "money.csv"):
        (data / name).write_bytes(os.urandom(100))
    before = tree(data)
    with pytest.raises(OutputError, match="папка с входными данными"):
        publish(data / inside if inside else data, NEW, inputs=data)
    assert tree(data) == before


def test_a_symlink_to_the_data_folder_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "link").symlink_to(data)
    with pytest.raises(OutputError, match="входными данными"):
        publish(tmp_path / "link", NEW, inputs=data)
    assert list(data.iterdir()) == []


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder nobody can write into: a read-only mount for root, a 0555 folder for others."""
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep", encoding="utf-8")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("как root нельзя сделать папку только для чтения без mount, а mount здесь недоступен")
    return folder


def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    folder = _read_only_folder(tmp_path)
    try:
        before = tree(folder)
        with pytest.raises(OutputError, match="ельзя записывать"):
            publish(folder, NEW)
        with pytest.raises(OutputError, match="ельзя создать папку .*только для чтения"):
            publish(folder / "2026-Q4", NEW)
        assert tree(folder) == before
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_a_refused_build_leaves_no_new_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "2026-Q4"
    with pytest.raises(RuntimeError):
        with claim_output(target, None):
            raise RuntimeError("the pipeline failed")
    assert list(tmp_path.iterdir()) == []


# --- faults -----------------------------------------------------------------------------------


def _failing_write(fail_on: int, error: OSError):
    calls = {"n": 0}
    real = output.write_file

    def write(path: Path, content: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == fail_on:
            real(path, content[: len(content) // 2])  # a half-written file, as a full disk leaves it
            raise error
        real(path, content)

    return write


@pytest.mark.parametrize(
    "error",
    [OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EIO, "Input/output error")],
    ids=["disk-full", "write-error"],
)
def test_a_write_fault_leaves_the_previous_report_whole(tmp_path: Path, monkeypatch, error: OSError) -> None:
    folder = users_folder(tmp_path)
    publish(folder, OLD)
    before = tree(folder)
    monkeypatch.setattr(output, "write_file", _failing_write(2, error))
    with pytest.raises(OSError) as raised:
        publish(folder, NEW)
    assert raised.value.errno == error.errno
    assert tree(folder) == before  # the staging folder is gone too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Рабочий стол"]


def test_a_failure_during_the_swap_restores_the_previous_set(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "out"
    publish(folder, OLD)
    before = tree(folder)
    real = os.replace
    moves = {"n": 0}

    def replace(src, dst) -> None:
        moves["n"] += 1
        if moves["n"] == 5:  # three moved aside, one moved in, then the second fails
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OSError):
        publish(folder, NEW)
    monkeypatch.setattr(output.os, "replace", real)
    assert tree(folder) == before


def test_a_signal_during_the_swap_waits_for_the_whole_set(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "out"
    publish(folder, OLD)
    real = os.replace

    def replace(src, dst) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the swap
        real(src, dst)

    def stop(number: int, _frame: object) -> None:
        raise Interrupted(number)

    previous = signal.signal(signal.SIGTERM, stop)
    monkeypatch.setattr(output.os, "replace", replace)
    try:
        with pytest.raises(Interrupted):
            publish(folder, NEW)
    finally:
        signal.signal(signal.SIGTERM, previous)
        monkeypatch.setattr(output.os, "replace", real)
    for name, content in NEW.items():
        assert (folder / name).read_bytes() == content
    assert ours(folder) == {n: hashlib.sha256(c).hexdigest() for n, c in NEW.items()}


def _small_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True).returncode == 0


def test_a_really_full_disk_leaves_the_previous_report_whole(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if not _small_tmpfs(disk, "2m"):
        pytest.skip("маленькую файловую систему tmpfs здесь не смонтировать (нужен root и mount)")
    try:
        folder = disk / "out"
        publish(folder, OLD)
        before = tree(folder)
        with pytest.raises(OSError) as raised:
            publish(folder, {"report.html": b"x" * 1_000_000, "report.pdf": os.urandom(1_500_000), "summary.json": b"{}"})
        assert raised.value.errno == errno.ENOSPC
        assert tree(folder) == before
        assert sorted(p.name for p in disk.iterdir()) == ["out"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# --- locking ----------------------------------------------------------------------------------


def test_a_second_build_into_a_locked_folder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from report_builder.output import claim_output\n"
         f"with claim_output(__import__('pathlib').Path({str(folder)!r}), None):\n"
         "    print('locked', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildBusy, match=f"pid {holder.pid}"):
            publish(folder, NEW)
    finally:
        holder.kill()
        holder.wait()
    publish(folder, NEW)  # the lock dies with its holder


# --- the command line, end to end ---------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli")
    config = root / "small.toml"
    config.write_text(SMALL_BUILD, encoding="utf-8")
    return {"config": config, "cache": shared_cache}


def run_cli(args: list[str], cli_env: dict[str, Path], **kwargs) -> subprocess.CompletedProcess:
    command = [*CLI, "build", "--config", str(cli_env["config"]), "--format", "html", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.mark.slow
def test_cli_build_beside_a_users_files(tmp_path: Path, cli_env: dict[str, Path]) -> None:
    folder = users_folder(tmp_path)
    before = tree(folder)
    long = tmp_path / ("очень-длинное-имя-папки-" * 4) / "2026-Q4"
    for target in (folder, long):
        done = run_cli(["--output", str(target), "--cache-dir", str(cli_env["cache"])], cli_env)
        assert done.returncode == 0, done.stderr
        assert f"  {target / 'report.html'}" in done.stdout.splitlines()  # a piped log is not wrapped
    after = tree(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert {"report.html", "summary.json", "customers.csv", "customers.xlsx"} <= set(after)
    quiet = run_cli(["--output", str(folder), "--cache-dir", str(cli_env["cache"]), "--quiet"], cli_env)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


@pytest.mark.slow
@pytest.mark.parametrize("target", ["data", "file"])
def test_cli_refuses_the_data_folder_and_a_file(tmp_path: Path, tiny_tables, cli_env: dict[str, Path], target: str) -> None:
    data = tiny_tables()
    file = tmp_path / "отчёт.pdf"
    file.write_bytes(b"%PDF mine")
    before = {**tree(data), "file": file.read_bytes().hex()}
    out = data if target == "data" else file
    done = run_cli(["--data", str(data), "--output", str(out), "--cache-dir", str(cli_env["cache"])], cli_env)
    assert done.returncode == 2, done.stderr
    text = " ".join(done.stderr.split())
    assert str(out) in text and ("входными данными" in text or "это файл, а не папка" in text)
    assert "Traceback" not in done.stderr
    assert {**tree(data), "file": file.read_bytes().hex()} == before


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_cli_interrupted_mid_build_leaves_the_previous_report(tmp_path: Path, cli_env: dict[str, Path], number: int) -> None:
    folder = users_folder(tmp_path)
    publish(folder, OLD)
    before = tree(folder)
    process = subprocess.Popen(
        # no history: the demo's earlier quarters would only delay the moment the signal is sent
        [*CLI, "build", "--config", str(cli_env["config"]), "--format", "html", "--output", str(folder), "--no-cache", "--no-history"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:  # wait until the model search is under way
        if "Разбиение на блоки" in line:  # the last stage before the search, in the main process
            break
    time.sleep(0.5)
    process.send_signal(number)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 128 + number, rest
    assert "Сборка прервана" in rest and "Traceback" not in rest
    assert tree(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Рабочий стол"]


@pytest.mark.slow
def test_cli_two_concurrent_builds_give_one_whole_report(tmp_path: Path, cli_env: dict[str, Path]) -> None:
    folder = tmp_path / "out"
    args = [*CLI, "build", "--config", str(cli_env["config"]), "--format", "html", "--output", str(folder), "--no-history"]
    cache = ["--cache-dir", str(cli_env["cache"])]
    first = subprocess.Popen([*args, *cache], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:
        if "Загрузка" in line:
            break
    # The first build is held where it is, its folder claimed and its report not yet written, for as long as the
    # second one runs: concurrent however fast either is.
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = subprocess.run([*args, *cache], capture_output=True, text=True, timeout=300)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    first_out, _ = first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 2
    assert f"уже пишет другая сборка (pid {first.pid})" in " ".join(second.stderr.split())
    manifest = ours(folder)
    for name, digest in manifest.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert {"report.html", "summary.json"} <= set(manifest)


@pytest.mark.slow
def test_cli_disk_full_message(tmp_path: Path, cli_env: dict[str, Path]) -> None:
    """A full disk while writing: the message is Russian, the exit code 1, the old report stays."""
    folder = tmp_path / "out"
    publish(folder, OLD)
    before = tree(folder)
    script = (
        "import errno, sys\n"
        "import report_builder.output as output\n"
        "def full(path, content):\n"
        "    raise OSError(errno.ENOSPC, 'No space left on device', str(path))\n"
        "output.write_file = full\n"
        "from report_builder.cli import app\n"
        "app(prog_name='report-builder')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "build", "--config", str(cli_env["config"]), "--format", "html",
         "--output", str(folder), "--cache-dir", str(cli_env["cache"])],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1
    assert "Недостаточно места на диске" in done.stderr and "Traceback" not in done.stderr
    assert tree(folder) == before
