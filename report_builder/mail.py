"""Mail a built report: its PDF to the `[mail]` recipients over SMTP, with the headline figures in the letter.

The folder is only read. The customer files hold personal data and travel only when asked for
(`with_customers`). The password comes from the environment variable `mail.password_env` and is
never printed, logged or put in a message.
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from report_builder.config import MailConfig, ReportConfig
from report_builder.errors import InputError, MailError, os_reason
from report_builder.labels import DECLINED
from report_builder.report.filters import count, num, pct
from report_builder.report.narrative.common import period_label

PDF = "report.pdf"
SUMMARY = "summary.json"
CUSTOMERS = "customers.xlsx"


@dataclass(frozen=True)
class SentReport:
    """What was sent, to whom and through which server."""

    subject: str
    recipients: tuple[str, ...]
    attachments: tuple[str, ...]
    server: str  # host:port


@dataclass(frozen=True)
class _Letter:
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes, str, str], ...]  # name, content, MIME type and subtype


def send_report(folder: Path, mail: MailConfig, report: ReportConfig = ReportConfig(), with_customers: bool = False) -> SentReport:
    """Send `folder`/report.pdf to `mail.recipients`.

    SettingsError or InputError (exit code 2) for settings and paths, checked before connecting;
    MailError (exit code 1) when the server cannot be reached or refuses.
    """
    mail.check_sendable()
    letter = _letter(folder, mail, report, with_customers)
    sender = mail.sender or str(mail.user)
    message = EmailMessage()
    message["Subject"] = letter.subject
    message["From"] = sender
    message["To"] = ", ".join(mail.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(letter.body)
    for name, content, kind, subtype in letter.attachments:
        message.add_attachment(content, maintype=kind, subtype=subtype, filename=name)
    server = f"{mail.host}:{mail.port}"
    _deliver(message, mail, sender, server)
    return SentReport(letter.subject, mail.recipients, tuple(a[0] for a in letter.attachments), server)


def _letter(folder: Path, mail: MailConfig, report: ReportConfig, with_customers: bool) -> _Letter:
    if not folder.is_dir():
        raise InputError(f"папка отчёта {folder} не найдена" if not folder.exists() else f"{folder} — это файл, а не папка отчёта",
                         hint="Укажите папку, в которую собран отчёт, например output/2026-Q3")
    pdf = folder / PDF
    if not pdf.is_file():
        raise InputError(f"в папке {folder} нет {PDF}",
                         hint="Отправляется только PDF: соберите отчёт с форматом pdf (--format html,pdf) или укажите другую папку")
    summary = _summary(folder / SUMMARY)
    attachments = [(PDF, _read(pdf), "application", "pdf")]
    if with_customers:
        customers = folder / CUSTOMERS
        if not customers.is_file():
            raise InputError(f"в папке {folder} нет {CUSTOMERS}, а отправить просили и список покупателей (--with-customers)")
        attachments.append((CUSTOMERS, _read(customers), "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    period = period_label(str(summary.get("period", folder.name)))
    subject = " ".join(p for p in (mail.subject_prefix.strip(), f"Покупательская активность: {period}") if p)
    names = ", ".join(a[0] for a in attachments)
    lines = [
        "Здравствуйте!",
        "",
        f"Во вложении отчёт «{report.title}» ({report.company}) за {period}: {names}.",
        "",
        *_figures(summary),
        "",
        f"Письмо отправлено программой report-builder из папки {folder.resolve()}.",
    ]
    return _Letter(subject, "\n".join(lines) + "\n", tuple(attachments))


def _summary(path: Path) -> dict[str, object]:
    if not path.is_file():
        raise InputError(f"нет файла {path}: из него берутся числа для письма", hint="Укажите папку собранного отчёта")
    try:
        found = json.loads(_read(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"файл {path} не читается как JSON ({exc.__class__.__name__})", hint="Соберите отчёт заново") from None
    if not isinstance(found, dict):
        raise InputError(f"файл {path} не похож на summary.json отчёта", hint="Соберите отчёт заново")
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"файл {path} не читается: {os_reason(exc)}") from None


def _figures(summary: dict[str, object]) -> list[str]:
    """The headline figures, as the report's «Главное» states them; a figure the build did not make is left out."""
    data = summary.get("data")
    data = data if isinstance(data, dict) else {}
    lines = ["Главное:"]
    used = data.get("customers_used")
    if isinstance(used, int):
        lines.append(f"— покупателей в анализе: {num(used)};")
        counts = data.get("target_counts")
        declined = counts.get(DECLINED) if isinstance(counts, dict) else None
        if isinstance(declined, int) and used:
            lines.append(f"— активность снизилась у {pct(declined / used)} ({count(declined, 'покупателя', 'покупателей', 'покупателей')});")
    at_risk = summary.get("at_risk_customers")
    if isinstance(at_risk, int):
        lines.append(f"— в зоне риска: {count(at_risk, 'покупатель', 'покупателя', 'покупателей')};")
    totals = summary.get("totals")
    if isinstance(totals, dict) and isinstance(totals.get("profit_at_risk_all"), int | float):
        unit = str(summary.get("money_unit") or "ед.")
        lines.append(f"— прибыль под риском: {num(float(totals['profit_at_risk_all']))} {unit}.")
    if len(lines) == 1:
        return ["Числа отчёта — в summary.json в папке отчёта."]
    lines[-1] = lines[-1].rstrip(";.") + "."
    return lines


def _deliver(message: EmailMessage, mail: MailConfig, sender: str, server: str) -> None:
    """One SMTP session: connect, STARTTLS when set, log in when a user is set, send, quit."""
    password = mail.password()
    try:
        with smtplib.SMTP(str(mail.host), mail.port, timeout=mail.timeout) as smtp:
            smtp.ehlo()
            if mail.starttls:
                if not smtp.has_extn("starttls"):
                    raise MailError(f"SMTP-сервер {server} не поддерживает STARTTLS; для сервера без шифрования "
                                    "задайте mail.starttls = false (и порт 25), иначе проверьте mail.host и mail.port")
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if mail.user is not None and password is not None:
                smtp.login(mail.user, password)
            refused = smtp.send_message(message, from_addr=sender, to_addrs=list(mail.recipients))
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP-сервер {server} отклонил вход пользователя {mail.user}: {_said(exc.smtp_code, exc.smtp_error)}; "
                        f"проверьте mail.user и пароль в переменной окружения {mail.password_env}") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"SMTP-сервер {server} не принимает вход (AUTH) на этом соединении; проверьте mail.starttls и mail.port"
                        " или уберите mail.user, если сервер не требует входа") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"SMTP-сервер {server} отклонил отправителя {sender}: {_said(exc.smtp_code, exc.smtp_error)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"SMTP-сервер {server} отклонил всех получателей: {_refused(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"SMTP-сервер {server} отказал: {_said(exc.smtp_code, exc.smtp_error)}") from None
    except smtplib.SMTPServerDisconnected:
        raise MailError(f"SMTP-сервер {server} прервал соединение") from None
    except ssl.SSLError as exc:
        raise MailError(f"с SMTP-сервером {server} не удалось установить защищённое соединение: {exc.reason or exc}") from None
    except (socket.timeout, TimeoutError):
        raise MailError(f"SMTP-сервер {server} недоступен: не ответил за {num(mail.timeout)} с (mail.timeout)") from None
    except socket.gaierror:
        raise MailError(f"SMTP-сервер {server} недоступен: имя {mail.host} не найдено (проверьте mail.host)") from None
    except smtplib.SMTPException as exc:  # before OSError, whose subclass it is
        raise MailError(f"SMTP-сервер {server}: ошибка обмена ({exc.__class__.__name__})") from None
    except OSError as exc:
        raise MailError(f"SMTP-сервер {server} недоступен: {_network_reason(exc)}") from None
    if refused:
        raise MailError(f"SMTP-сервер {server} принял письмо не для всех: отклонены {_refused(refused)}")


def _said(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"код {code}, «{' '.join(said.split())[:200]}»"


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address} ({_said(code, text)})" for address, (code, text) in recipients.items())


def _network_reason(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "соединение отклонено (на этом порту никто не принимает почту)"
    if isinstance(exc, ConnectionResetError):
        return "соединение сброшено"
    return os_reason(exc)
