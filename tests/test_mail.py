"""`report-builder send` and `build --send` against a real SMTP server on localhost."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from report_builder.cli import app
from smtp_server import Server, accept_only, free_port, smtp_server

runner = CliRunner()
# The login tests use AUTH without TLS on purpose: the server is on this machine and the password is a test one.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SUMMARY = {
    "period": "2026-Q3",
    "money_unit": "тыс. руб.",
    "data": {"customers_in": 1300, "customers_used": 1296, "target_counts": {"Снизилась": 494, "Прежний уровень": 802},
             "sources": [], "fixes": []},
    "segments": [
        {"name": "Ценные в зоне риска", "base": True, "customers": 230},
        {"name": "Ценные стабильные", "base": True, "customers": 418},
        {"name": "Обычные в зоне риска", "base": True, "customers": 172},
        {"name": "Обычные стабильные", "base": True, "customers": 476},
        {"name": "Любители акций в зоне риска", "base": False, "customers": 150},
    ],
    "at_risk_customers": 402,
    "totals": {"profit_at_risk_all": 5898.8, "quarter_profit": 15539.46},
}


def flat(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def report_folder(root: Path) -> Path:
    """A built report as `send` reads it: the PDF, summary.json and the customer files beside them."""
    folder = root / "output" / "2026-Q3"
    folder.mkdir(parents=True)
    (folder / "report.pdf").write_bytes(PDF)
    (folder / "summary.json").write_text(json.dumps(SUMMARY, ensure_ascii=False), encoding="utf-8")
    (folder / "customers.csv").write_bytes("id;Прибыль в месяц, тыс. руб.\r\n215348;4,2\r\n".encode("utf-8-sig"))
    (folder / "customers.xlsx").write_bytes(b"PK\x03\x04 a workbook of customers")
    (folder / "report.html").write_text("<html></html>", encoding="utf-8")
    return folder


def state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file's content hash and modification time: what sending must leave as it was."""
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def settings(root: Path, server: Server | None = None, **mail: object) -> Path:
    values: dict[str, object] = {"host": "127.0.0.1", "port": server.port if server else free_port(), "starttls": False,
                                 "sender": "reports@shop.ru", "recipients": ["director@shop.ru", "crm@shop.ru"],
                                 "subject_prefix": "[Аналитика]", **mail}
    lines = ["[mail]"] + [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items() if value is not None]
    path = root / "settings.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def test_send_mails_the_pdf_with_the_headline_figures(tmp_path: Path) -> None:
    folder = report_folder(tmp_path)
    before = state(folder)
    with smtp_server() as server:
        result = runner.invoke(app, ["send", str(folder), "--config", str(settings(tmp_path, server))])
    assert result.exit_code == 0, result.output
    [delivered] = server.mailbox.delivered
    assert delivered.sender == "reports@shop.ru"
    assert delivered.recipients == ("director@shop.ru", "crm@shop.ru")
    message = delivered.message
    assert message["Subject"] == "[Аналитика] Покупательская активность: III квартал 2026\u00a0г."
    assert message["To"] == "director@shop.ru, crm@shop.ru"
    assert attachments(message) == {"report.pdf": PDF}  # the customer files stay home
    body = message.get_body(("plain",)).get_content()
    for figure in ("покупателей в анализе: 1\u00a0296", "активность снизилась у 38\u00a0% (494\u00a0покупателей)",
                   "в зоне риска: 402\u00a0покупателя", "прибыль под риском: 5\u00a0899 тыс. руб."):
        assert figure in body, figure
    assert "III квартал 2026\u00a0г." in body and "2026-Q3" not in body.replace(str(folder.resolve()), "")
    assert "Отправлено через 127.0.0.1:" in flat(result.output) and "director@shop.ru, crm@shop.ru" in result.output
    assert state(folder) == before


def test_the_customer_list_goes_only_when_asked(tmp_path: Path) -> None:
    folder = report_folder(tmp_path)
    with smtp_server() as server:
        result = runner.invoke(app, ["send", str(folder), "--config", str(settings(tmp_path, server)), "--with-customers"])
    assert result.exit_code == 0, result.output
    [delivered] = server.mailbox.delivered
    assert attachments(delivered.message) == {"report.pdf": PDF, "customers.xlsx": (folder / "customers.xlsx").read_bytes()}


def test_a_refused_login_names_the_server_and_the_user_never_the_password(tmp_path: Path, monkeypatch) -> None:
    folder = report_folder(tmp_path)
    before = state(folder)
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", "wr0ng-s3cret")
    with smtp_server(accept_only("analyst", "right-one")) as server:
        config = settings(tmp_path, server, user="analyst", password_env="SHOP_SMTP_PASSWORD")
        refused = runner.invoke(app, ["send", str(folder), "--config", str(config)])
        monkeypatch.setenv("SHOP_SMTP_PASSWORD", "right-one")
        accepted = runner.invoke(app, ["send", str(folder), "--config", str(config)])
    text = flat(refused.output)
    assert refused.exit_code == 1, text
    assert f"SMTP-сервер 127.0.0.1:{server.port} отклонил вход пользователя analyst" in text
    assert "SHOP_SMTP_PASSWORD" in text and "wr0ng-s3cret" not in refused.output and "Traceback" not in refused.output
    assert accepted.exit_code == 0, accepted.output
    assert "right-one" not in accepted.output
    assert len(server.mailbox.delivered) == 1  # only the second attempt got through
    assert state(folder) == before


def test_an_unreachable_server_is_named_with_its_port(tmp_path: Path) -> None:
    folder = report_folder(tmp_path)
    before = state(folder)
    port = free_port()  # nobody listens there
    result = runner.invoke(app, ["send", str(folder), "--config", str(settings(tmp_path, port=port))])
    text = flat(result.output)
    assert result.exit_code == 1, text
    assert f"Письмо не отправлено. SMTP-сервер 127.0.0.1:{port} недоступен: соединение отклонено" in text
    assert "Файлы отчёта не изменены" in text and "Traceback" not in result.output
    assert state(folder) == before


def test_a_server_without_starttls_is_not_sent_to_in_clear_text(tmp_path: Path) -> None:
    folder = report_folder(tmp_path)
    with smtp_server() as server:
        result = runner.invoke(app, ["send", str(folder), "--config", str(settings(tmp_path, server, starttls=True))])
    text = flat(result.output)
    assert result.exit_code == 1, text
    assert f"SMTP-сервер 127.0.0.1:{server.port} не поддерживает STARTTLS" in text and "mail.starttls = false" in text
    assert server.mailbox.delivered == []


@pytest.mark.parametrize(
    ("mail", "remove", "expected"),
    [
        ({"host": None}, None, "Не задан SMTP-сервер: настройка mail.host (раздел [mail] файла настроек)"),  # brackets kept
        ({"recipients": []}, None, "Не заданы получатели: настройка mail.recipients"),
        ({"sender": None}, None, "Не задан адрес отправителя: настройка mail.sender"),
        ({"user": "analyst", "password_env": "NO_SUCH_PASSWORD_VARIABLE"}, None,
         "переменная окружения NO_SUCH_PASSWORD_VARIABLE не задана или пуста"),
        ({}, "report.pdf", "нет report.pdf"),
        ({}, "summary.json", "summary.json: из него берутся числа для письма"),
    ],
)
def test_bad_settings_or_folder_stop_before_connecting(tmp_path: Path, mail: dict, remove: str | None, expected: str) -> None:
    folder = report_folder(tmp_path)
    if remove:
        (folder / remove).unlink()
    before = state(folder)
    with smtp_server() as server:
        result = runner.invoke(app, ["send", str(folder), "--config", str(settings(tmp_path, server, **mail))])
    text = flat(result.output)
    assert result.exit_code == 2, text
    assert expected in text and "Traceback" not in result.output
    assert server.mailbox.delivered == []
    assert state(folder) == before


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "output" / "2025-Q1"
    result = runner.invoke(app, ["send", str(missing), "--config", str(settings(tmp_path))])
    assert result.exit_code == 2
    assert f"Папка отчёта {missing} не найдена" in flat(result.output)


def test_send_without_a_folder_sends_the_default_builds_report(tmp_path: Path, monkeypatch) -> None:
    from report_builder.locations import default_output, today_utc
    from report_builder.periods import last_finished_quarter

    monkeypatch.chdir(tmp_path)
    period = last_finished_quarter(today_utc())
    target = tmp_path / default_output(period)
    target.parent.mkdir(parents=True)
    report_folder(tmp_path / "elsewhere").rename(target)
    with smtp_server() as server:
        result = runner.invoke(app, ["send", "--config", str(settings(tmp_path, server))])
    assert result.exit_code == 0, result.output
    [delivered] = server.mailbox.delivered
    assert attachments(delivered.message) == {"report.pdf": PDF}


def test_build_send_checks_the_mail_settings_before_any_work(tmp_path: Path, tiny_tables) -> None:
    config = settings(tmp_path, host=None)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", "--data", str(tiny_tables()), "--output", str(out), "--cache-dir",
                                 str(tmp_path / "cache"), "--config", str(config), "--send"])
    assert result.exit_code == 2
    assert "mail.host" in flat(result.output) and "Отчёт не построен" in flat(result.output)
    assert not out.exists() and not (tmp_path / "cache").exists()
    html_only = runner.invoke(app, ["build", "--data", str(tiny_tables("e")), "--output", str(out), "--format", "html",
                                    "--cache-dir", str(tmp_path / "cache"), "--config", str(settings(tmp_path)), "--send"])
    assert html_only.exit_code == 2 and "добавьте pdf в --format" in flat(html_only.output)


@pytest.mark.slow
def test_build_send_mails_after_a_successful_build_and_keeps_the_report_when_the_mail_fails(tmp_path: Path, tiny_tables) -> None:
    data, out = tiny_tables(), tmp_path / "out"
    small = ('[model]\nfamilies = ["logreg"]\nsearch_iterations = 2\nbootstrap_rounds = 200\nn_jobs = 1\n'
             "[explain]\nagnostic_sample = 20\nbackground = 10\npermutation_repeats = 2\ncustomers_max = 20\n")

    def build(server: Server | None) -> object:
        config = settings(tmp_path, server)
        config.write_text(config.read_text(encoding="utf-8") + small, encoding="utf-8")
        return runner.invoke(app, ["build", "--data", str(data), "--output", str(out), "--period", "2026-Q3", "--no-profile",
                                   "--no-history", "--cache-dir", str(tmp_path / "cache"), "--config", str(config), "--send"])

    with smtp_server() as server:
        sent = build(server)
    assert sent.exit_code == 0, sent.output
    [delivered] = server.mailbox.delivered
    assert attachments(delivered.message) == {"report.pdf": (out / "report.pdf").read_bytes()}
    figures = json.loads((out / "summary.json").read_text(encoding="utf-8"))["data"]["customers_used"]
    assert f"покупателей в анализе: {figures}" in delivered.message.get_body(("plain",)).get_content().replace("\u00a0", "")

    failed = build(None)  # a closed port
    text = flat(failed.output)
    assert failed.exit_code == 1, text
    assert "недоступен: соединение отклонено" in text and f"Отчёт собран и лежит в {out}" in text
    assert (out / "report.pdf").is_file() and (out / "summary.json").is_file()
    assert os.path.getsize(out / "report.pdf") > 1000
