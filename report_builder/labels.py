"""Canonical column names of the four tables and every user-facing Russian label.

Charts, tables and generated text all take their wording from here.
"""

from __future__ import annotations

ID = "id"
TARGET = "Покупательская активность"
DECLINED = "Снизилась"
STABLE = "Прежний уровень"
TARGET_CLASSES = (DECLINED, STABLE)
PROFIT = "Прибыль"

# Columns the scoring and segmentation add to the customer table.
PROBABILITY = "probability"  # out-of-fold probability of decline
PROFIT_AT_RISK = "profit_at_risk"  # probability × monthly profit × months
SEGMENT = "segment"  # one of the four base segments

# The four risk × value segments: they partition the customers.
VALUABLE_AT_RISK = "Ценные в зоне риска"
VALUABLE_STABLE = "Ценные стабильные"
USUAL_AT_RISK = "Обычные в зоне риска"
USUAL_STABLE = "Обычные стабильные"
BASE_SEGMENTS = (VALUABLE_AT_RISK, VALUABLE_STABLE, USUAL_AT_RISK, USUAL_STABLE)
AT_RISK_SEGMENTS = (VALUABLE_AT_RISK, USUAL_AT_RISK)

PERIOD = "Период"
REVENUE = "Выручка"
MINUTES = "минут"
PERIODS_MONEY = ("препредыдущий_месяц", "предыдущий_месяц", "текущий_месяц")
PERIODS_TIME = ("предыдущий_месяц", "текущий_месяц")

# Columns of market_file besides id and target.
CONSENT = "Разрешить сообщать"  # consent to promotional messages
CONSENT_YES = "да"
CATEGORICAL = ("Тип сервиса", CONSENT, "Популярная_категория")
NUMERIC_FILE = (
    "Маркет_актив_6_мес",
    "Маркет_актив_тек_мес",
    "Длительность",
    "Акционные_покупки",
    "Средний_просмотр_категорий_за_визит",
    "Неоплаченные_продукты_штук_квартал",
    "Ошибка_сервиса",
    "Страниц_за_визит",
)
REVENUE_COLUMNS = tuple(f"Выручка_{p}" for p in PERIODS_MONEY)
MINUTES_COLUMNS = tuple(f"Минут_{p}" for p in PERIODS_TIME)
NUMERIC = NUMERIC_FILE + REVENUE_COLUMNS + MINUTES_COLUMNS
FEATURES = CATEGORICAL + NUMERIC
# The forecast of next quarter's activity also sees whether activity declined in the features' quarter (1/0).
DECLINED_NOW = "Снижение_активности_сейчас"

# Values the shop uses today; close misspellings are mapped onto them.
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "Тип сервиса": ("стандарт", "премиум"),
    "Разрешить сообщать": ("да", "нет"),
    "Популярная_категория": (
        "Товары для детей",
        "Домашний текстиль",
        "Косметика и аксессуары",
        "Техника для красоты и здоровья",
        "Кухонная посуда",
        "Мелкая бытовая техника и электроника",
    ),
    TARGET: TARGET_CLASSES,
}

FEATURE_LABELS: dict[str, str] = {
    "Тип сервиса": "Тип сервиса",
    "Разрешить сообщать": "Согласие на рассылки",
    "Популярная_категория": "Любимая категория",
    "Маркет_актив_6_мес": "Маркетинговые контакты за 6 мес. (в среднем)",
    "Маркет_актив_тек_мес": "Маркетинговые контакты в текущем месяце",
    "Длительность": "Дней с регистрации",
    "Акционные_покупки": "Доля акционных покупок",
    "Средний_просмотр_категорий_за_визит": "Категорий за визит",
    "Неоплаченные_продукты_штук_квартал": "Неоплаченных товаров в корзине",
    "Ошибка_сервиса": "Сбоев сервиса",
    "Страниц_за_визит": "Страниц за визит",
    "Выручка_препредыдущий_месяц": "Выручка в позапрошлом месяце",
    "Выручка_предыдущий_месяц": "Выручка в прошлом месяце",
    "Выручка_текущий_месяц": "Выручка в текущем месяце",
    "Минут_предыдущий_месяц": "Минут на сайте в прошлом месяце",
    "Минут_текущий_месяц": "Минут на сайте в текущем месяце",
    PROFIT: "Прибыль в месяц",
    DECLINED_NOW: "Активность снизилась в этом квартале",
    TARGET: "Покупательская активность",
}

SHORT_LABELS: dict[str, str] = {
    "Маркет_актив_6_мес": "Маркетинг 6 мес.",
    "Маркет_актив_тек_мес": "Маркетинг тек. мес.",
    "Средний_просмотр_категорий_за_визит": "Категорий за визит",
    "Неоплаченные_продукты_штук_квартал": "Неоплаченных в корзине",
    "Выручка_препредыдущий_месяц": "Выручка позапрошл. мес.",
    "Выручка_предыдущий_месяц": "Выручка прошл. мес.",
    "Выручка_текущий_месяц": "Выручка тек. мес.",
    "Минут_предыдущий_месяц": "Минут прошл. мес.",
    "Минут_текущий_месяц": "Минут тек. мес.",
    TARGET: "Активность (цель)",
}

TABLE_FILES = ("market_file", "market_money", "market_time", "money")
# The optional fifth table: what was actually sent to customers during the quarter, one row per contact.
CONTACTS = "contacts"
OFFER = "offer"  # an offer rule's title or name
CHANNEL = "channel"  # one of the configured channels
DATE = "date"  # the day the contact was sent
CONTACT_COLUMNS = (ID, OFFER, CHANNEL, DATE)


def label(column: str) -> str:
    """Human Russian label of a column, or the column with underscores as spaces."""
    return FEATURE_LABELS.get(column, column.replace("_", " "))


def short_label(column: str) -> str:
    """Compact label for chart axes."""
    return SHORT_LABELS.get(column, label(column))
