"""Every verdict and number-bearing sentence of the report, decided here; the templates only print.

One module per report section (`common` holds what several share). Templates reach all of them
through one namespace, `say`, built from the modules themselves: every public function and constant
a module defines (not what it imports) is `say.<name>`. Two modules defining the same public name
stop the import, so a template never gets the wrong one of two.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from types import ModuleType, SimpleNamespace


def defined_names(module: ModuleType) -> list[str]:
    """The public names a module defines at its top level: functions, classes and constants, in source order."""
    tree = ast.parse(inspect.getsource(module))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


def build_namespace(modules: list[ModuleType]) -> SimpleNamespace:
    """One namespace of the modules' public names; a name defined by two modules is an error."""
    owners: dict[str, str] = {}
    found: dict[str, object] = {}
    for module in modules:
        for name in defined_names(module):
            if name in owners:
                raise ImportError(
                    f"{name!r} is defined in both {owners[name]} and {module.__name__}: "
                    f"templates would not know which one «say.{name}» means"
                )
            owners[name] = module.__name__
            found[name] = getattr(module, name)
    return SimpleNamespace(**found)


def section_modules() -> list[ModuleType]:
    """Every module of this package, in name order."""
    return [importlib.import_module(f"{__name__}.{info.name}") for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)]


say = build_namespace(section_modules())
