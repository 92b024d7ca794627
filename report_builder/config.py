"""Every default of a build in one typed, frozen object; overridable from TOML or YAML."""

from __future__ import annotations

import hashlib
import math
import os
import tomllib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic_core import InitErrorDetails

from report_builder.errors import SettingsError
from report_builder.labels import BASE_SEGMENTS, FEATURES, NUMERIC, PROBABILITY, PROFIT
from report_builder.messages import closest, russian_parse_error, russian_setting_error

# Parameters of each model family's estimator (scikit-learn `get_params()`), known without importing
# scikit-learn, so a bad grid stops the build the moment the settings load; a test keeps them equal
# to `stages.models.families()`.
MODEL_PARAMETERS: dict[str, tuple[str, ...]] = {
    "knn": ("algorithm", "leaf_size", "metric", "metric_params", "n_jobs", "n_neighbors", "p", "weights"),
    "tree": (
        "ccp_alpha", "class_weight", "criterion", "max_depth", "max_features", "max_leaf_nodes", "min_impurity_decrease",
        "min_samples_leaf", "min_samples_split", "min_weight_fraction_leaf", "monotonic_cst", "random_state", "splitter",
    ),
    "logreg": (
        "C", "class_weight", "dual", "fit_intercept", "intercept_scaling", "l1_ratio", "max_iter", "n_jobs", "penalty",
        "random_state", "solver", "tol", "verbose", "warm_start",
    ),
    "svc": (
        "C", "break_ties", "cache_size", "class_weight", "coef0", "decision_function_shape", "degree", "gamma", "kernel",
        "max_iter", "probability", "random_state", "shrinking", "tol", "verbose",
    ),
    "extra_trees": (
        "bootstrap", "ccp_alpha", "class_weight", "criterion", "max_depth", "max_features", "max_leaf_nodes", "max_samples",
        "min_impurity_decrease", "min_samples_leaf", "min_samples_split", "min_weight_fraction_leaf", "monotonic_cst",
        "n_estimators", "n_jobs", "oob_score", "random_state", "verbose", "warm_start",
    ),
    "random_forest": (
        "bootstrap", "ccp_alpha", "class_weight", "criterion", "max_depth", "max_features", "max_leaf_nodes", "max_samples",
        "min_impurity_decrease", "min_samples_leaf", "min_samples_split", "min_weight_fraction_leaf", "monotonic_cst",
        "n_estimators", "n_jobs", "oob_score", "random_state", "verbose", "warm_start",
    ),
    "gradient_boosting": (
        "categorical_features", "class_weight", "early_stopping", "interaction_cst", "l2_regularization", "learning_rate",
        "loss", "max_bins", "max_depth", "max_features", "max_iter", "max_leaf_nodes", "min_samples_leaf", "monotonic_cst",
        "n_iter_no_change", "random_state", "scoring", "tol", "validation_fraction", "verbose", "warm_start",
    ),
}
SEGMENT_COLUMNS = (*NUMERIC, PROFIT, PROBABILITY)  # what an extra segment's bounds may name


def _unknown(kind: str, name: str, known: tuple[str, ...] | list[str]) -> ValueError:
    """«неизвестное семейство «knm»; возможно, имелось в виду «knn»; допустимы: …»."""
    guess = closest(name, known)
    text = f"{kind} «{name}»" + (f"; возможно, имелось в виду «{guess}»" if guess else "")
    return ValueError(text + "; допустимы: " + ", ".join(known))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CleaningConfig(_Frozen):
    typo_similarity: float = Field(0.8, ge=0.5, le=1.0, description="похожесть на известное значение (0–1), с которой написание считается опечаткой")
    anomaly_iqr_factor: float = Field(10.0, gt=0, description="множитель k: значение выше Q3 + k × IQR — аномалия")
    min_customers: int = Field(50, ge=10, description="меньше покупателей после очистки — сборка останавливается")


class ModelConfig(_Frozen):
    families: tuple[str, ...] = Field(
        ("knn", "tree", "logreg", "svc", "extra_trees"),
        description="семейства моделей: knn, tree, logreg, svc, extra_trees, random_forest, gradient_boosting",
    )
    search_iterations: int = Field(12, ge=1, description="кандидатов случайного поиска на семейство")
    cv_folds: int = Field(5, ge=2, description="блоков перекрёстной проверки")
    test_size: float = Field(0.25, gt=0.05, lt=0.5, description="доля покупателей в отложенной выборке")
    bootstrap_rounds: int = Field(1000, ge=100, description="повторов бутстрепа для доверительных интервалов")
    n_jobs: int = Field(2, description="параллельных процессов поиска")
    max_fit_rows: int = Field(5000, ge=200, description="на скольких строках не больше обучать модель (стратифицированная выборка)")
    max_check_rows: int = Field(
        20000, ge=200, description="на скольких отложенных покупателях не больше проверять семейства моделей (стратифицированная выборка)"
    )
    grids: dict[str, dict[str, tuple[float | int | str | bool | None, ...]]] = Field(
        default_factory=dict,
        description="для семейства: параметр scikit-learn → список значений вместо встроенного пространства поиска",
    )

    @field_validator("families")
    @classmethod
    def _known_families(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("нужно хотя бы одно семейство моделей")
        for name in value:
            if name not in MODEL_PARAMETERS:
                raise _unknown("неизвестное семейство моделей", name, list(MODEL_PARAMETERS))
        return value

    @field_validator("grids")
    @classmethod
    def _known_parameters(cls, value: dict[str, dict[str, tuple[object, ...]]]) -> dict[str, dict[str, tuple[object, ...]]]:
        for family, grid in value.items():
            if family not in MODEL_PARAMETERS:
                raise _unknown("неизвестное семейство моделей", family, list(MODEL_PARAMETERS))
            for parameter, values in grid.items():
                if parameter not in MODEL_PARAMETERS[family]:
                    raise _unknown(f"у модели «{family}» нет параметра", parameter, MODEL_PARAMETERS[family])
                if not values:
                    raise ValueError(f"пустой список значений у параметра «{parameter}» модели «{family}»")
        return value


class ExplainConfig(_Frozen):
    sample: int = Field(200, ge=20, description="покупателей в выборке SHAP для деревьев")
    agnostic_sample: int = Field(100, ge=20, description="покупателей в выборке универсального объяснителя SHAP")
    background: int = Field(30, ge=10, description="фоновая выборка универсального объяснителя")
    permutation_repeats: int = Field(5, ge=2, description="повторов перестановочной важности")
    customers_max: int = Field(5000, ge=10, description="покупателей с личными причинами риска, начиная с наибольшей ожидаемой потери")


class SegmentRule(_Frozen):
    name: str = Field(description="название сегмента в отчёте")
    description: str = Field("", description="пояснение к сегменту")
    # Conditions: column -> [low, high] bounds (inclusive); "probability" and "Прибыль" are columns too.
    where: dict[str, tuple[float | None, float | None]] = Field(
        description="условия: столбец → [от, до] включительно; inf или -inf — без границы"
    )

    @field_validator("where", mode="before")
    @classmethod
    def _open_bounds(cls, value: object) -> object:
        """TOML has no null: an infinite bound is an open one, the same as null in YAML."""
        if isinstance(value, dict):
            return {k: [None if isinstance(b, float) and math.isinf(b) else b for b in v] if isinstance(v, list | tuple) else v
                    for k, v in value.items()}
        return value

    @field_validator("where")
    @classmethod
    def _numeric_columns(cls, value: dict[str, tuple[float | None, float | None]]) -> dict[str, tuple[float | None, float | None]]:
        for column in value:
            if column in FEATURES:
                if column not in SEGMENT_COLUMNS:
                    raise ValueError(
                        f"границы задаются только для чисел, а «{column}» — нечисловой признак; "
                        f"допустимы числовые признаки, «{PROFIT}» и «{PROBABILITY}»"
                    )
            elif column not in SEGMENT_COLUMNS:
                raise _unknown("неизвестный столбец", column, SEGMENT_COLUMNS)
        return value


class SegmentsConfig(_Frozen):
    threshold: float = Field(0.5, gt=0, lt=1, description="вероятность снижения, с которой покупатель в зоне риска")
    value_quantile: float = Field(0.5, gt=0, lt=1, description="квантиль прибыли, от которого покупатель ценный")
    extra: tuple[SegmentRule, ...] = Field(
        (
            SegmentRule(
                name="Любители акций в зоне риска",
                description="доля акционных покупок от 50 % и высокий риск снижения",
                where={"Акционные_покупки": (0.5, None), "probability": (0.5, None)},
            ),
        ),
        description="дополнительные сегменты поверх четырёх основных",
    )
    priority: str | None = Field(None, description="сегмент для подробного разбора; по умолчанию — с наибольшей прибылью под риском")
    months_at_risk: int = Field(3, ge=1, description="месяцев прибыли, которые теряются при снижении активности")

    @field_validator("extra")
    @classmethod
    def _unique_names(cls, value: tuple[SegmentRule, ...]) -> tuple[SegmentRule, ...]:
        seen: set[str] = set()
        for rule in value:
            if rule.name in BASE_SEGMENTS:
                raise ValueError(f"имя «{rule.name}» уже занято основным сегментом; дайте дополнительному сегменту своё имя")
            if rule.name in seen:
                raise ValueError(f"два дополнительных сегмента с именем «{rule.name}»; дайте каждому своё имя")
            seen.add(rule.name)
        return value

    @field_validator("priority")
    @classmethod
    def _known_priority(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "extra" not in info.data:  # a bad `extra` is reported on its own
            return value
        names = [*BASE_SEGMENTS, *(r.name for r in info.data["extra"])]
        if value not in names:
            raise _unknown("нет сегмента", value, names)
        return value


Channel = Literal["сайт", "email", "push", "sms"]
SITE: Channel = "сайт"  # personalisation on the site reaches a customer without a message


class OfferRule(_Frozen):
    """An offer that fires for a segment when enough of it meets the condition on a driver."""

    name: str = Field(description="короткое имя правила (латиницей), по нему правило меняют и отключают")
    title: str = Field(description="название предложения в отчёте")
    action: str = Field(description="что именно делается")
    feature: str = Field(description="числовой признак, на котором стоит условие")
    op: Literal[">=", "<="] = Field(description="сравнение: >= или <=")
    value: float = Field(description="порог условия")
    channels: tuple[Channel, ...] = Field(min_length=1, description="каналы: сайт, email, push, sms")
    owner: str = Field("CRM-отдел", description="кто выполняет действие")
    start: str = Field("в течение недели", description="когда действие начинается")
    cost: float | None = Field(
        None, ge=0, description="цена одного контакта в единицах прибыли; не задана — по ценам каналов (recommendations.channel_costs)"
    )
    discount: float | None = Field(
        0.0, ge=0, le=1,
        description="скидка как доля месячной выручки покупателя, которую магазин отдаёт при использовании предложения "
        "(её цена в единицах прибыли — через recommendations.revenue_to_money); не задана — неизвестна",
    )
    min_share: float = Field(0.25, ge=0, le=1, description="у какой доли сегмента должно выполняться условие")
    min_lift: float = Field(1.3, ge=1, description="во сколько раз чаще, чем у стабильных покупателей")

    def reach(self, consent: bool) -> tuple[Channel, ...]:
        """The channels this offer may use for a customer: messages only with consent to mailings."""
        return self.channels if consent else tuple(c for c in self.channels if c == SITE)

    def contact_cost(self, channels: tuple[Channel, ...], prices: dict[str, float]) -> float | None:
        """The price of contacting one customer through these channels: the rule's own, else the channels' sum; None: unknown."""
        if self.cost is not None:
            return self.cost
        if all(c in prices for c in channels):
            return float(sum(prices[c] for c in channels))
        return None

    @field_validator("feature")
    @classmethod
    def _numeric_feature(cls, value: str) -> str:
        if value in FEATURES and value not in NUMERIC:
            raise ValueError(f"правило сравнивает с числом нечисловой признак «{value}»; допустимы: " + ", ".join(NUMERIC))
        if value not in NUMERIC:
            raise _unknown("неизвестный признак", value, NUMERIC)
        return value


DEFAULT_RULES = (
    OfferRule(
        name="cart",
        title="Напоминание о корзине и скидка на неё",
        action="напоминание о неоплаченных товарах (на сайте, письмом, пушем) и скидка на всю корзину при оплате в течение недели",
        feature="Неоплаченные_продукты_штук_квартал",
        op=">=",
        value=4,
        channels=("сайт", "email", "push"),
        discount=None,  # a discount on the cart: its size is the shop's to set
    ),
    OfferRule(
        name="promo",
        title="Персональные промокоды в любимой категории",
        action="промокод на любимую категорию покупателя вместо общих акций и ранний доступ к распродажам",
        feature="Акционные_покупки",
        op=">=",
        value=0.5,
        channels=("сайт", "email"),
        discount=None,  # a promo code: its size is the shop's to set
    ),
    OfferRule(
        name="pages",
        title="Персональные подборки товаров",
        action="подборки на главной странице и в письмах по истории просмотров, чтобы за визит покупатель видел больше нужного",
        feature="Страниц_за_визит",
        op="<=",
        value=5,
        channels=("сайт", "email"),
    ),
    OfferRule(
        name="categories",
        title="Рекомендации из смежных категорий",
        action="блок «с этим покупают» и подборки из соседних категорий в карточке товара",
        feature="Средний_просмотр_категорий_за_визит",
        op="<=",
        value=2,
        channels=("сайт",),
    ),
    OfferRule(
        name="minutes",
        title="Повод вернуться на сайт",
        action="персональная рассылка с новинками любимой категории и напоминанием о накопленных бонусах",
        feature="Минут_текущий_месяц",
        op="<=",
        value=10,
        channels=("email", "push"),
    ),
    OfferRule(
        name="contacts",
        title="План маркетинговых контактов",
        action="ровный план контактов: предложения каждую неделю вместо редких волн рассылок",
        feature="Маркет_актив_6_мес",
        op="<=",
        value=3.5,
        channels=("email", "push", "sms"),
    ),
    OfferRule(
        name="errors",
        title="Исправить сбои сервиса",
        action="поддержка разбирает сбои этих покупателей, на сайте им показывают извинение и начисленный бонус",
        feature="Ошибка_сервиса",
        op=">=",
        value=6,
        channels=("сайт",),
        owner="служба поддержки",
    ),
)


def merge_rules(table: dict[object, object]) -> tuple[list[object], list[str]]:
    """Rules by name over the defaults, in the defaults' order, new names after them.

    A known name changes only the fields it gives; a new name must give every required field;
    `enabled = false` drops the rule. Returns the merged rules and their names, in order.
    """
    merged: dict[str, object] = {rule.name: rule.model_dump() for rule in DEFAULT_RULES}
    for key, fields in table.items():
        name = str(key)
        if not isinstance(fields, dict):
            merged[name] = fields  # reported as «ожидается раздел настроек» under the rule's name
            continue
        fields = dict(fields)
        enabled = fields.pop("enabled", True)
        if enabled is False:
            if name not in merged:
                guess = closest(name, list(merged))
                raise ValueError(
                    f"нельзя отключить правило «{name}»: такого правила нет"
                    + (f"; возможно, имелось в виду «{guess}»" if guess else "")
                    + "; есть: " + ", ".join(merged)
                )
            del merged[name]
            continue
        if enabled is not True:
            raise ValueError(f"у правила «{name}» enabled должно быть true или false")
        fields.pop("name", None)  # the table's name is the rule's name
        base = merged.get(name)
        merged[name] = {**(base if isinstance(base, dict) else {}), **fields, "name": name}
    return list(merged.values()), list(merged)


def _renamed(error: dict[str, object], names: list[str]) -> InitErrorDetails:
    loc = list(error["loc"])  # type: ignore[arg-type]
    if loc and isinstance(loc[0], int) and loc[0] < len(names):
        loc[0] = names[loc[0]]
    details = InitErrorDetails(type=str(error["type"]), loc=tuple(loc), input=error.get("input"))
    if error.get("ctx"):
        details["ctx"] = error["ctx"]  # type: ignore[typeddict-item]
    return details


class RecommendationsConfig(_Frozen):
    rules: tuple[OfferRule, ...] = Field(
        DEFAULT_RULES,
        description="правила предложений по имени; [recommendations.rules.ИМЯ] меняет, добавляет или (enabled = false) отключает одно",
    )
    top_actions: int = Field(3, ge=1, le=10, description="действий на странице «Главное»")
    control_share: float | Literal["auto"] = Field(
        0.10,
        description="доля покупателей, которым подходят предложения, оставленных без них (контрольная группа); 0 — без неё; "
        "\"auto\" — столько, чтобы вывод об эффекте был готов за backtest.quarters_to_verdict кварталов",
    )
    effect: float = Field(0.2, ge=0, le=1, description="доля снижений, которую предотвращает предложение, пока её не измерила контрольная группа")
    min_effect: float | None = Field(
        None, gt=0, le=1, description="наименьший эффект, который стоит уметь заметить (доля предотвращённых снижений); по умолчанию — effect"
    )
    loss_share: float = Field(
        1.0, gt=0, le=1,
        description="доля месячной прибыли, которую теряет покупатель со сниженной активностью, пока её не измерила история",
    )
    channel_costs: dict[Channel, float] = Field(
        default_factory=dict, description="цена одного контакта по каналу в единицах прибыли, например email = 0.5; не задана — неизвестна"
    )
    budget: float | None = Field(None, gt=0, description="бюджет на контакты за квартал в единицах прибыли; не задан — без ограничения")
    revenue_to_money: float | None = Field(
        None, gt=0,
        description="сколько единиц прибыли в одной единице выручки (0.001, если выручка в рублях, а прибыль в тысячах рублей); "
        "нужно, чтобы посчитать цену скидки",
    )

    @field_validator("control_share")
    @classmethod
    def _share(cls, value: float | str) -> float | str:
        if isinstance(value, float | int) and not 0 <= value < 1:
            raise ValueError("доля контрольной группы должна быть от 0 до 1 (или \"auto\")")
        return value

    @field_validator("channel_costs")
    @classmethod
    def _costs(cls, value: dict[str, float]) -> dict[str, float]:
        for channel, cost in value.items():
            if cost < 0:
                raise ValueError(f"цена контакта по каналу «{channel}» не может быть отрицательной")
        return value

    @property
    def assumed_min_effect(self) -> float:
        return self.min_effect if self.min_effect is not None else self.effect

    @field_validator("rules", mode="wrap")
    @classmethod
    def _rules_by_name(cls, value: object, handler: ValidatorFunctionWrapHandler) -> tuple[OfferRule, ...]:
        """A table keyed by rule name is merged over the defaults; a list replaces them all."""
        if not isinstance(value, dict):
            return handler(value)
        merged, names = merge_rules(value)
        try:
            return handler(merged)
        except ValidationError as exc:  # name the rule, not its place in the merged list
            raise ValidationError.from_exception_data(exc.title, [_renamed(e, names) for e in exc.errors()]) from None


class ReportConfig(_Frozen):
    company: str = Field("В один клик", description="название магазина на титуле и в метаданных")
    title: str = Field("Покупательская активность постоянных клиентов", description="заголовок отчёта")
    formats: tuple[Literal["html", "pdf"], ...] = Field(("html", "pdf"), description="какие документы строить: html, pdf")
    profile: bool = Field(True, description="строить приложение ydata-profiling profile.html (секунды)")
    max_table_rows: int = Field(20, ge=1, description="строк в таблицах отчёта не больше")
    money_unit: str | None = Field(None, description="единица сумм прибыли, например «тыс. руб.»; не задана — оговаривается один раз")

    @property
    def unit(self) -> str:
        """The unit every money figure carries: the configured one, or «ед.»."""
        return self.money_unit or "ед."

    @property
    def pdf(self) -> bool:
        return "pdf" in self.formats

    @property
    def html(self) -> bool:
        return "html" in self.formats


class SourceConfig(_Frozen):
    """Where each table comes from when --data is a database: a table name or an SQL query (SELECT …)."""

    market_file: str = Field("market_file", description="таблица или запрос SELECT для market_file")
    market_money: str = Field("market_money", description="таблица или запрос SELECT для market_money")
    market_time: str = Field("market_time", description="таблица или запрос SELECT для market_time")
    money: str = Field("money", description="таблица или запрос SELECT для money")
    contacts: str | None = Field(
        None, description="таблица или запрос SELECT для contacts — необязательной таблицы отправленных предложений; не задана — без неё"
    )


class MailConfig(_Frozen):
    """Where `report-builder send` sends the report; the password comes from an environment variable only."""

    host: str | None = Field(None, description="SMTP-сервер, например smtp.shop.ru")
    port: int = Field(587, ge=1, le=65535, description="порт SMTP-сервера (587 — с STARTTLS, 25 — без шифрования)")
    starttls: bool = Field(True, description="шифровать соединение командой STARTTLS")
    user: str | None = Field(None, description="имя для входа на сервер; не задано — без входа")
    password_env: str = Field(
        "REPORT_BUILDER_SMTP_PASSWORD", min_length=1, description="переменная окружения, в которой лежит пароль"
    )
    sender: str | None = Field(None, description="адрес отправителя; по умолчанию — имя для входа")
    recipients: tuple[str, ...] = Field((), description="адреса получателей")
    subject_prefix: str = Field("", description="начало темы письма, например «[Аналитика]»")
    timeout: float = Field(30, gt=0, description="сколько секунд ждать ответа сервера")

    def password(self) -> str | None:
        """The login password, from the environment variable `password_env`; None when no login is set.

        SettingsError when a login is set but the variable is empty: caught before any connection or build."""
        if self.user is None:
            return None
        found = os.environ.get(self.password_env)
        if not found:
            raise SettingsError(
                f"для входа пользователя {self.user} на SMTP-сервер нужен пароль, а переменная окружения "
                f"{self.password_env} не задана или пуста",
                hint="Задайте её в окружении запуска (в systemd — EnvironmentFile=, в cron — в файле, который читает задание);"
                " в файле настроек пароль не хранится, имя переменной задаёт mail.password_env",
            )
        return found

    def check_sendable(self) -> None:
        """SettingsError naming the setting that keeps a report from being mailed: no server, no recipients, no sender, no password."""
        if not self.host:
            raise SettingsError("не задан SMTP-сервер: настройка mail.host (раздел [mail] файла настроек)",
                                hint="Например: [mail] host = \"smtp.shop.ru\"; файл настроек передаётся в --config")
        if not self.recipients:
            raise SettingsError("не заданы получатели: настройка mail.recipients (раздел [mail] файла настроек)",
                                hint="Например: recipients = [\"director@shop.ru\"]")
        if not (self.sender or self.user):
            raise SettingsError("не задан адрес отправителя: настройка mail.sender (или mail.user, если имя для входа — адрес)")
        self.password()


class LimitsConfig(_Frozen):
    """Limits that refuse hostile or absurd input files before they are read into memory.

    A real quarter (tens of thousands of customers, about 15 columns) is far below every one of them.
    """

    max_file_mb: float = Field(256, gt=0, description="размер файла таблицы (CSV, Excel, Parquet) не больше, МБ")
    max_xlsx_unpacked_mb: float = Field(512, gt=0, description="книга Excel в распакованном виде не больше, МБ")
    max_xlsx_ratio: float = Field(100, gt=1, description="сжатие части книги Excel не больше чем во столько раз (настоящие листы — около 10)")
    xlsx_ratio_from_mb: float = Field(1, ge=0, description="части книги от этого размера, МБ, проверяются на сжатие")
    max_xlsx_parts: int = Field(10_000, ge=10, description="частей в архиве книги Excel не больше (в настоящей — около десятка)")
    max_columns: int = Field(200, ge=20, description="столбцов в таблице не больше (в самой широкой — 13)")
    max_header_mb: float = Field(1, gt=0, description="первая строка CSV (заголовок) не длиннее, МБ")


class HistoryConfig(_Frozen):
    """Where runs are recorded and how a change is judged."""

    url: str | None = Field(None, description="адрес SQLAlchemy или путь к файлу SQLite; по умолчанию history.sqlite рядом с папками периодов")
    drift_noticeable: float = Field(0.1, gt=0, description="сдвиг данных от этой величины — заметный")
    drift_strong: float = Field(0.25, gt=0, description="сдвиг данных от этой величины — сильный")

    @property
    def judged(self) -> HistoryConfig:
        """How a change is judged, without where the runs are recorded: what the comparison is keyed by."""
        return self.model_copy(update={"url": None})


class BacktestConfig(_Frozen):
    """When last quarter's forecast counts as failed, and when offer groups are big enough to judge."""

    auc_margin: float = Field(0.05, ge=0, description="ROC-AUC ниже обещанного на столько — модель стоит переобучить")
    calibration_margin: float = Field(0.10, ge=0, description="группа калибровки разошлась с фактом на столько — модель стоит проверить")
    min_bin: int = Field(20, ge=1, description="покупателей в группе калибровки, чтобы она учитывалась")
    min_group: int = Field(30, ge=1, description="покупателей в группе с предложением и в контрольной, чтобы судить об эффекте")
    max_ci_width: float = Field(0.20, gt=0, description="интервал эффекта шире этого — делать вывод рано")
    quarters_to_verdict: int = Field(2, ge=1, le=12, description="за сколько кварталов контрольная группа должна дать вывод об эффекте")
    alpha: float = Field(0.05, gt=0, lt=0.5, description="уровень значимости проверки эффекта")
    power: float = Field(0.8, gt=0.5, lt=1, description="мощность: с какой вероятностью проверка замечает наименьший эффект")


class ForecastConfig(_Frozen):
    """The forecast of next quarter's decline, learnt from consecutive earlier quarters."""

    min_customers: int = Field(100, ge=20, description="сколько общих покупателей нужно двум соседним кварталам, чтобы учиться на этой паре")
    families: int = Field(
        2, ge=0,
        description="сколько лучших семейств моделей этого квартала перебирать для прогноза по парам кварталов; 0 — все семейства из model.families",
    )


class StagesConfig(_Frozen):
    """Optional stages; the others feed every section and always run."""

    explain: bool = Field(True, description="объяснение SHAP и его раздел")
    segments: bool = Field(True, description="прогноз по покупателям, сегменты, предложения, список покупателей и их разделы")


class Config(_Frozen):
    seed: int = Field(42, description="зерно случайности для всех разбиений, поисков и выборок")
    stages: StagesConfig = Field(StagesConfig(), description="необязательные этапы")
    cleaning: CleaningConfig = Field(CleaningConfig(), description="очистка данных")
    model: ModelConfig = Field(ModelConfig(), description="подбор моделей")
    explain: ExplainConfig = Field(ExplainConfig(), description="объяснение SHAP")
    segments: SegmentsConfig = Field(SegmentsConfig(), description="сегменты покупателей")
    recommendations: RecommendationsConfig = Field(RecommendationsConfig(), description="предложения для сегментов")
    report: ReportConfig = Field(ReportConfig(), description="документы отчёта")
    history: HistoryConfig = Field(HistoryConfig(), description="история сборок и «Что изменилось»")
    backtest: BacktestConfig = Field(BacktestConfig(), description="проверка прошлого прогноза")
    source: SourceConfig = Field(SourceConfig(), description="таблицы в базе данных (когда --data — адрес базы)")
    limits: LimitsConfig = Field(LimitsConfig(), description="пределы размера входных файлов")
    mail: MailConfig = Field(MailConfig(), description="рассылка отчёта командой send")
    forecast: ForecastConfig = Field(ForecastConfig(), description="прогноз на следующий квартал по истории")

    @property
    def analysis_settings(self) -> str:
        """The settings that shape the numbers, as JSON; the documents' own (formats, title), the history's, the limits and the mail do not count."""
        return self.model_dump_json(exclude={"report", "history", "limits", "mail"})

    @property
    def analysis_hash(self) -> str:
        return hashlib.sha256(self.analysis_settings.encode()).hexdigest()[:16]

    @property
    def shown(self) -> Config:
        """The settings as the documents read them: the mail, the input limits, the database's tables and the history's
        address at their defaults, since no page shows them (what of them matters reaches the documents through the
        results); the history's thresholds stay, as the comparison reads them (`HistoryConfig.judged`). The documents
        are keyed by these, so a changed recipient or history address lays nothing out again (the limits and the
        tables' names are settings of reading the data: the documents, keyed by what was read, follow them)."""
        return self.model_copy(update={"mail": MailConfig(), "limits": LimitsConfig(), "source": SourceConfig(),
                                       "history": self.history.judged})


def load_config(path: Path | None, **overrides: object) -> Config:
    """Defaults, then the file (TOML or YAML), then command-line overrides."""
    data: dict[str, object] = {}
    if path is not None:
        if not path.exists():
            raise SettingsError("файл настроек не найден", file=str(path))
        if path.is_dir():
            raise SettingsError("это папка, а не файл настроек", file=str(path))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise SettingsError("файл настроек не читается: он должен быть в кодировке UTF-8", file=path.name) from exc
        except OSError as exc:
            raise SettingsError(f"файл настроек не читается: {exc.strerror or exc}", file=path.name) from exc
        try:
            loaded = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
        except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            raise SettingsError("файл настроек не читается: " + russian_parse_error(exc, text), file=path.name) from exc
        if not isinstance(loaded, dict | None):
            raise SettingsError("файл настроек должен состоять из разделов и значений «ключ = значение»", file=path.name)
        data = dict(loaded or {})
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})  # type: ignore[assignment]
        node[leaf] = value
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a misspelt name explains the rest
        where = ".".join(str(p) for p in first["loc"])
        quiet = first["type"] in ("missing", "extra_forbidden", "value_error") or isinstance(first["input"], dict | list | tuple)
        given = "" if quiet else f" (указано: {_shown(first['input'])})"
        problem = russian_setting_error(dict(first))
        if first["type"] == "extra_forbidden":
            *parent, name = first["loc"]
            if isinstance(first["input"], dict):
                problem = "такого раздела нет"
            guess = closest(str(name), _known_at(tuple(parent)))
            if guess:
                problem += f"; возможно, имелось в виду «{'.'.join(str(p) for p in (*parent, guess))}»"
        raise SettingsError(f"неверная настройка «{where}»: {problem}{given}", file=path.name if path else None) from exc


def _known_at(loc: tuple[object, ...]) -> list[str]:
    """The names a section at `loc` knows: («report»,) -> company, title, …; a rule's place -> a rule's fields."""
    model: type[BaseModel] = Config
    items = {(RecommendationsConfig, "rules"): OfferRule, (SegmentsConfig, "extra"): SegmentRule}
    parts = list(loc)
    while parts:
        part = str(parts.pop(0))
        if (model, part) in items:
            model = items[(model, part)]
            if not parts:  # the list or table of rules itself
                return []
            parts.pop(0)  # the rule's name or the segment's number
            continue
        kind = model.model_fields[part].annotation if part in model.model_fields else None
        if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
            return []
        model = kind
    return list(model.model_fields)


def _shown(value: object) -> str:
    text = str(value) if not isinstance(value, str) else f"«{value}»"
    return text if len(text) <= 60 else text[:57] + "…"
