"""Settings files: the README example, YAML, and errors that name the bad setting."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from report_builder.config import DEFAULT_RULES, Config, OfferRule, SegmentRule, load_config
from report_builder.errors import InputError

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_toml() -> str:
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    main = [b for b in blocks if "[model]" in b]
    assert main, "README.md has no ```toml block with the main settings"
    return main[0]


def assert_states(actual: object, expected: object, where: str = "") -> None:
    """Every value the file states is the value the settings object holds; offer rules are stated by name."""
    if where.endswith("recommendations.rules") and isinstance(expected, dict):
        by_name = {rule.name: rule for rule in actual}  # type: ignore[attr-defined]
        for name, fields in expected.items():
            if fields.get("enabled") is False:
                assert name not in by_name, f"{where}.{name}"
            else:
                assert_states(by_name[name], {k: v for k, v in fields.items() if k != "enabled"}, f"{where}.{name}")
    elif isinstance(expected, dict):
        assert isinstance(actual, BaseModel | dict), where
        for key, value in expected.items():
            inner = actual[key] if isinstance(actual, dict) else getattr(actual, key)
            assert_states(inner, value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, tuple | list), where
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_states(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_readme_example_loads_with_the_values_it_states(tmp_path: Path) -> None:
    text = readme_toml()
    config = load_config(write(tmp_path, "settings.toml", text))
    assert_states(config, tomllib.loads(text))
    # The same values, spelled out.
    assert config.seed == 7
    assert config.model.families == ("knn", "tree", "logreg", "svc", "extra_trees", "gradient_boosting")
    assert config.model.search_iterations == 20
    assert config.segments.threshold == 0.5
    assert config.segments.value_quantile == 0.5
    assert config.segments.priority == "Ценные в зоне риска"
    assert config.segments.extra == (
        SegmentRule(
            name="Любители акций в зоне риска",
            description="доля акционных покупок от 50 % и высокий риск",
            where={"Акционные_покупки": (0.5, 1.0), "probability": (0.5, 1.0)},
        ),
    )
    rules = {rule.name: rule for rule in config.recommendations.rules}
    assert list(rules) == ["cart", "promo", "pages", "categories", "minutes", "contacts", "anniversary"]
    assert rules["cart"] == OfferRule(
        name="cart",
        title="Напоминание о корзине и скидка на неё",  # not in the file: the default rule's own
        action="напоминание о неоплаченных товарах, скидка на корзину",
        feature="Неоплаченные_продукты_штук_квартал",
        op=">=",
        value=4,
        channels=("сайт", "email", "push"),
        owner="CRM-отдел",
        start="в течение недели",
        cost=0.05,
        discount=None,  # not in the file: the default rule's own, the size of its discount not yet known
        min_share=0.25,
        min_lift=1.3,
    )
    defaults = {rule.name: rule for rule in DEFAULT_RULES}
    assert all(rules[name] == defaults[name] for name in ("promo", "pages", "categories", "minutes", "contacts"))
    assert rules["anniversary"].feature == "Длительность" and rules["anniversary"].owner == "CRM-отдел"
    assert config.report.title == "Покупательская активность постоянных клиентов"
    assert config.report.profile is True
    # What the file does not mention keeps its default.
    assert config.cleaning == Config().cleaning
    assert config.explain == Config().explain
    assert config.model.cv_folds == Config().model.cv_folds


def test_readme_example_segment_rule_and_offer_feature_exist() -> None:
    """The example refers only to columns the stages accept."""
    from report_builder.labels import FEATURES, PROFIT

    config = Config.model_validate(tomllib.loads(readme_toml()))
    for rule in config.segments.extra:
        assert set(rule.where) <= {*FEATURES, PROFIT, "probability"}
    for offer in config.recommendations.rules:
        assert offer.feature in FEATURES


YAML = """
seed: 11
model:
  families: [logreg, tree]
segments:
  threshold: 0.4
  months_at_risk: 2
  priority: Обычные в зоне риска
  extra:
    - name: Долгие клиенты
      where:
        Длительность: [800, null]
recommendations:
  top_actions: 2
report:
  formats: [html]
  profile: false
"""


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_yaml_config_works(tmp_path: Path, suffix: str) -> None:
    config = load_config(write(tmp_path, f"settings{suffix}", YAML))
    assert config.seed == 11
    assert config.model.families == ("logreg", "tree")
    assert config.segments.threshold == 0.4
    assert config.segments.months_at_risk == 2
    assert config.segments.priority == "Обычные в зоне риска"
    assert config.segments.extra == (SegmentRule(name="Долгие клиенты", where={"Длительность": (800, None)}),)
    assert config.recommendations.top_actions == 2
    assert config.recommendations.rules == Config().recommendations.rules
    assert config.report.formats == ("html",)
    assert config.report.profile is False


def test_command_line_overrides_beat_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "settings.yaml", YAML), seed=5, **{"report.profile": True, "segments.threshold": None})
    assert config.seed == 5
    assert config.report.profile is True
    assert config.segments.threshold == 0.4  # None means «not given»


def test_no_file_gives_the_defaults() -> None:
    assert load_config(None) == Config()


@pytest.mark.parametrize(
    ("name", "text", "setting"),
    [
        ("bad.toml", "[segments]\nthreshold = 1.5\n", "segments.threshold"),
        ("bad.toml", "[segments]\nvalue_quantile = 0\n", "segments.value_quantile"),
        ("bad.toml", "[model]\nsearch_iterations = \"много\"\n", "model.search_iterations"),
        ("bad.toml", "[report]\nunknown_setting = 1\n", "report.unknown_setting"),
        ("bad.yaml", "explain:\n  sample: 5\n", "explain.sample"),
        (
            "bad.yaml",
            "recommendations:\n  rules:\n    - {name: a, title: b, action: c, feature: Ошибка_сервиса, op: '>', value: 1}\n",
            "recommendations.rules.0.op",
        ),
    ],
)
def test_invalid_value_names_the_setting(tmp_path: Path, name: str, text: str, setting: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, name, text))
    message = str(caught.value)
    assert f"«{setting}»" in message
    assert name in message


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="не читается"):
        load_config(write(tmp_path, "broken.toml", "[model\nthreshold = 0.5\n"))
    with pytest.raises(InputError, match="не найден"):
        load_config(tmp_path / "missing.toml")


@pytest.mark.parametrize("text", ["seed\n", "- seed: 1\n", "just text\n"])
def test_yaml_that_is_not_a_mapping_is_an_input_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, "settings.yaml", text))
    assert "settings.yaml" in str(caught.value)


def test_every_toml_block_of_the_readme_is_valid() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 3
    for block in blocks:
        Config.model_validate(tomllib.loads(block))


RULE = 'title = "t"\naction = "a"\nop = ">="\nvalue = 1\nchannels = ["сайт"]\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'[[recommendations.rules]]\nname = "x"\nfeature = "Нет_признака"\n{RULE}',
         "«recommendations.rules.0.feature»: неизвестный признак «Нет_признака»"),
        (f'[[recommendations.rules]]\nname = "x"\nfeature = "Ошибка_сервис"\n{RULE}',
         "возможно, имелось в виду «Ошибка_сервиса»"),
        (f'[[recommendations.rules]]\nname = "x"\nfeature = "Тип сервиса"\n{RULE}',
         "«recommendations.rules.0.feature»: правило сравнивает с числом нечисловой признак «Тип сервиса»"),
        ('[model]\nfamilies = ["knm"]\n', "«model.families»: неизвестное семейство моделей «knm»; возможно, имелось в виду «knn»"),
        ("[model]\nfamilies = []\n", "«model.families»: нужно хотя бы одно семейство моделей"),
        ("[model.grids.forest]\nn_estimators = [10]\n", "«model.grids»: неизвестное семейство моделей «forest»"),
        ("[model.grids.tree]\nmax_dept = [2, 3]\n",
         "«model.grids»: у модели «tree» нет параметра «max_dept»; возможно, имелось в виду «max_depth»"),
        ("[model.grids.tree]\nmax_depth = []\n", "пустой список значений у параметра «max_depth» модели «tree»"),
        ('[[segments.extra]]\nname = "x"\nwhere = { "Тип сервиса" = [0, 1] }\n',
         "«segments.extra.0.where»: границы задаются только для чисел, а «Тип сервиса» — нечисловой признак"),
        ('[[segments.extra]]\nname = "x"\nwhere = { "segment" = [0, 1] }\n', "неизвестный столбец «segment»"),
        ('[[segments.extra]]\nname = "Ценные стабильные"\nwhere = { "probability" = [0.9, 1] }\n',
         "«segments.extra»: имя «Ценные стабильные» уже занято основным сегментом"),
        ('[[segments.extra]]\nname = "x"\nwhere = { "probability" = [0.9, 1] }\n'
         '[[segments.extra]]\nname = "x"\nwhere = { "Прибыль" = [1, 2] }\n', "два дополнительных сегмента с именем «x»"),
        ('[segments]\npriority = "Ценные в зоне"\n',
         "«segments.priority»: нет сегмента «Ценные в зоне»; возможно, имелось в виду «Ценные в зоне риска»"),
    ],
)
def test_settings_the_stages_cannot_use_are_refused_on_load(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, "bad.toml", text))
    assert expected in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        '[segments]\npriority = "Обычные стабильные"\n',
        '[segments]\npriority = "Долгие"\n[[segments.extra]]\nname = "Долгие"\nwhere = { "Длительность" = [800, 2000] }\n',
        "[model.grids.gradient_boosting]\nlearning_rate = [0.05, 0.1]\n",
    ],
)
def test_good_names_pass_the_same_checks(tmp_path: Path, text: str) -> None:
    assert load_config(write(tmp_path, "good.toml", text)) != Config()


def test_checking_the_settings_takes_well_under_a_second(tmp_path: Path) -> None:
    import time

    text = readme_toml() + "\n[model.grids.svc]\nC = [0.1, 1.0]\n[model.grids.knn]\nn_neighbors = [5, 15]\n"
    path = write(tmp_path, "settings.toml", text)
    start = time.perf_counter()
    for _ in range(20):
        load_config(path)
    assert (time.perf_counter() - start) / 20 < 0.05


def test_one_field_of_one_rule_changes_by_name(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "settings.toml", "[recommendations.rules.cart]\ncost = 0.05\n"))
    rules = config.recommendations.rules
    assert [r.name for r in rules] == [r.name for r in DEFAULT_RULES]
    assert rules[0] == DEFAULT_RULES[0].model_copy(update={"cost": 0.05})
    assert rules[1:] == DEFAULT_RULES[1:]


def test_rules_by_name_in_yaml_add_and_remove(tmp_path: Path) -> None:
    text = """
recommendations:
  rules:
    errors: {enabled: false}
    pages: {value: 4, enabled: true}
    night:
      title: Ночная рассылка
      action: письмо с подборкой вечером
      feature: Минут_предыдущий_месяц
      op: "<="
      value: 5
      channels: [email]
"""
    rules = load_config(write(tmp_path, "settings.yaml", text)).recommendations.rules
    assert [r.name for r in rules] == ["cart", "promo", "pages", "categories", "minutes", "contacts", "night"]
    assert rules[2] == DEFAULT_RULES[2].model_copy(update={"value": 4})
    assert rules[-1].title == "Ночная рассылка" and rules[-1].min_share == 0.25


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[recommendations.rules.cart]\ncost = -1\n", "«recommendations.rules.cart.cost»: значение должно быть не меньше 0"),
        ("[recommendations.rules.cart]\ncots = 1\n", "«recommendations.rules.cart.cots»: такой настройки нет"),
        ('[recommendations.rules.new]\ntitle = "x"\n', "«recommendations.rules.new.action»: обязательная настройка не задана"),
        ("[recommendations.rules.erors]\nenabled = false\n", "такого правила нет; возможно, имелось в виду «errors»"),
        ('[recommendations.rules.cart]\nfeature = "Тип сервиса"\n', "«recommendations.rules.cart.feature»: правило сравнивает"),
    ],
)
def test_errors_in_a_rule_name_the_rule(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, "settings.toml", text))
    assert expected in caught.value.message


def test_an_infinite_bound_is_an_open_one(tmp_path: Path) -> None:
    text = '[[segments.extra]]\nname = "Рискованные"\nwhere = { "probability" = [0.7, inf], "Прибыль" = [-inf, 3] }\n'
    (rule,) = load_config(write(tmp_path, "settings.toml", text)).segments.extra
    assert rule.where == {"probability": (0.7, None), "Прибыль": (None, 3.0)}


def test_every_setting_is_described_in_russian() -> None:
    def fields(model: type[BaseModel], where: str) -> list[tuple[str, str | None]]:
        found = []
        for name, info in model.model_fields.items():
            found.append((f"{where}{name}", info.description))
            inner = info.annotation
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                found += fields(inner, f"{where}{name}.")
        return found

    described = [*fields(Config, ""), *fields(OfferRule, "rule."), *fields(SegmentRule, "segment.")]
    assert len(described) > 80
    for path, text in described:
        assert text and re.search("[а-яё]", text), path


def test_the_readme_settings_table_is_the_generated_one() -> None:
    from report_builder.settings_doc import markdown_table

    found = re.search(
        r"<!-- справочник настроек: начало -->\n(.*?)<!-- справочник настроек: конец -->",
        README.read_text(encoding="utf-8"),
        flags=re.S,
    )
    assert found, "README.md has no settings reference table"
    assert found.group(1) == markdown_table(), "regenerate: python -c 'from report_builder.settings_doc import markdown_table; print(markdown_table())'"


def test_the_settings_table_names_every_setting() -> None:
    from report_builder.settings_doc import markdown_table, settings

    table = markdown_table()
    for setting in settings(Config()):
        path = re.sub(r"^recommendations\.rules\.[^.]+\.", "recommendations.rules.ИМЯ.", setting.path)
        assert f"| `{path}` |" in table, path
    assert "| `limits.max_file_mb` | `256` |" in table
    assert "| `recommendations.rules.ИМЯ.cost` | не задано | цена одного контакта" in table


def test_the_example_file_loads_unchanged_into_the_defaults(tmp_path: Path) -> None:
    from report_builder.settings_doc import example_toml

    text = example_toml()
    assert load_config(write(tmp_path, "example.toml", text)) == Config()
    assert "# вероятность снижения, с которой покупатель в зоне риска\nthreshold = 0.5\n" in text
    assert "[recommendations.rules.errors]\n" in text and "[limits]\n" in text and "[mail]\n" in text
    assert '# money_unit = "тыс. руб."' in text  # a setting without a value stays a comment


def test_the_example_of_other_settings_holds_those_settings(tmp_path: Path) -> None:
    from report_builder.settings_doc import example_toml

    text = readme_toml() + '\n[model.grids.knn]\nn_neighbors = [15, 25]\n[report]\nmoney_unit = "тыс. руб."\n'
    text = text.replace('[report]\ntitle', '[report]\ncompany = "Магазин \\"Ромашка\\""\ntitle', 1).replace(
        '[report]\nmoney_unit = "тыс. руб."\n', '')
    config = load_config(write(tmp_path, "settings.toml", text + "[history]\nurl = \"h.sqlite\"\n"))
    assert config.model.grids and config.report.company == 'Магазин "Ромашка"' and config != Config()
    again = load_config(write(tmp_path, "again.toml", example_toml(config)))
    assert again == config


def test_the_example_keeps_removed_rules_and_segments_removed(tmp_path: Path) -> None:
    from report_builder.settings_doc import example_toml

    config = load_config(write(tmp_path, "s.toml", "[segments]\nextra = []\n[recommendations.rules.promo]\nenabled = false\n"))
    assert config.segments.extra == () and "promo" not in [r.name for r in config.recommendations.rules]
    assert load_config(write(tmp_path, "again.toml", example_toml(config))) == config


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("s.toml", '[report]\nmoney_units = "тыс. руб."\n', "«report.money_units»: такой настройки нет; возможно, имелось в виду «report.money_unit»"),
        ("s.toml", "[segment]\nthreshold = 0.4\n", "«segment»: такого раздела нет; возможно, имелось в виду «segments»"),
        ("s.toml", "sed = 1\n", "«sed»: такой настройки нет; возможно, имелось в виду «seed»"),
        ("s.toml", "[recommendations.rules.cart]\ncots = 1\n", "возможно, имелось в виду «recommendations.rules.cart.cost»"),
        ("s.toml", '[[segments.extra]]\nnam = "x"\nwhere = { probability = [0.5, 1] }\n', "имелось в виду «segments.extra.0.name»"),
        ("s.yaml", "limits:\n  max_file_megabytes: 5\n", "возможно, имелось в виду «limits.max_file_mb»"),
        ("s.toml", "[report]\nzzzz = 1\n", "«report.zzzz»: такой настройки нет"),
    ],
)
def test_unknown_names_suggest_the_closest_known_one(tmp_path: Path, name: str, text: str, expected: str) -> None:
    from report_builder.errors import SettingsError

    with pytest.raises(SettingsError) as caught:
        load_config(write(tmp_path, name, text))
    assert expected in caught.value.message
    assert caught.value.headline == "Ошибка в настройках."
    if "zzzz" in text:
        assert "возможно" not in caught.value.message


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("s.toml", "[model\ncv_folds = 3\n", "заголовок раздела не закрыт: нужна «]» (строка 1, столбец 7)"),
        ("s.toml", "[model]\ncv_folds = пять\n", "значение не распознано"),
        ("s.toml", '[report]\ntitle = "без кавычки\n', "текст не закрыт кавычкой до конца строки (строка 2, столбец 21)"),
        ("s.toml", "seed = 1\nseed = 2\n", "настройка задана дважды"),
        ("s.yaml", "model:\n  families: [knn, tree\n", "список не закрыт: нужна «]» (строка 3, столбец 1)"),
        ("s.yaml", "report:\n  title: Отчёт: квартал\n", "двоеточие здесь недопустимо"),
    ],
)
def test_parse_errors_are_russian_with_line_and_column(tmp_path: Path, name: str, text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, name, text))
    message = caught.value.message
    assert "файл настроек не читается: " in message and expected in message, message
    own = message.replace(name, "").replace("true", "").replace("false", "")
    assert not re.search(r"[A-Za-z]{3,}", own), message  # no library text in English


def test_a_setting_described_in_the_main_text_names_no_other_setting() -> None:
    """«Что изменилось» says a changed setting in words: its description, without a bracket naming another setting."""
    from report_builder.settings_doc import described, settings

    code = re.compile(r"\b(%s)\.[a-z_]+" % "|".join(Config.model_fields))  # «section.key» of a real section
    paths = [s.path for s in settings(Config())]
    assert "recommendations.rules.cart.discount" in paths and len(paths) > 80
    for path in paths:
        assert not code.search(described(path)), (path, described(path))
