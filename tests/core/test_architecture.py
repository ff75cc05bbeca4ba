"""The layers of docs/architecture.md, checked on every run.

The import graph of `camshaft/` is built from the source with `ast` (imports
inside functions count: a cycle hidden in a function is still a cycle), then
two rules are checked:

- no import cycle between modules;
- a domain module (models, services, selectors, tasks and their helpers)
  imports only domain modules of its own app or of an app in the same or a
  lower layer, and never a presentation module (views, API routers, admin,
  forms, urls, middleware, management commands...).

Presentation modules and the project's entry points (urls, api, cli,
settings, bench) stand on top and may import any domain module."""

import ast
import graphlib
import pathlib
import re

import pytest

import camshaft

PACKAGE = pathlib.Path(camshaft.__file__).parent

#: The apps in layers, lowest first. An app may import its own layer and the
#: layers below; apps sharing a layer may import each other without a cycle.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("consent",),
    ("notifications",),
    ("accounts",),
    ("abuse",),
    ("catalog", "fitment", "inventory", "pricing", "search"),
    ("cart", "payments", "shipping", "tax", "pricematch"),
    ("orders",),
    ("returns", "support"),
    ("marketplace", "chat"),
    ("checkout",),
    ("analytics",),
    ("privacy",),
)

#: Modules (or packages) that present the domain: they may import any layer,
#: no domain module may import them.
PRESENTATION = re.compile(
    r"\.(admin|admin_apps|admin_site|api|api_auth|api_schemas|apps|checks|consumers|context_processors|decorators"
    r"|forms|management|middleware|routing|templatetags|urls|views)(\.|$)"
)
#: Entry points of the whole project, above every app.
ENTRY_POINTS = re.compile(r"^camshaft\.(api|asgi|bench|cli|settings|urls|wsgi)(\.|$)")


def modules(package: pathlib.Path = PACKAGE) -> dict[str, pathlib.Path]:
    found = {}
    for path in package.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph(found: dict[str, pathlib.Path]) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports."""
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + [base] * bool(base))
                # "from camshaft.orders import services" imports a module.
                targets = [f"{base}.{alias.name}" for alias in node.names]
                targets = [t if t in found else base for t in targets]
            for target in targets:
                while target and target not in found:
                    target = target.rpartition(".")[0]
                if target and target != name and target != "camshaft":
                    graph[name].add(target)
    return graph


def app_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def is_domain(module: str) -> bool:
    return not (PRESENTATION.search(module) or ENTRY_POINTS.match(module) or module == "camshaft")


def layer_of(app: str, layers=LAYERS) -> int:
    for number, apps in enumerate(layers):
        if app in apps:
            return number
    raise LookupError(app)


def layer_violations(graph: dict[str, set[str]], layers=LAYERS) -> list[str]:
    problems = []
    for module, imported in sorted(graph.items()):
        if not is_domain(module):
            continue
        for target in sorted(imported):
            if not is_domain(target):
                problems.append(f"{module} imports {target}, which presents the domain")
            elif layer_of(app_of(target), layers) > layer_of(app_of(module), layers):
                problems.append(f"{module} imports {target}, from a higher layer")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """The modules of the first cycle graphlib meets, or nothing."""
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return list(error.args[1])
    return []


@pytest.fixture(scope="module")
def graph():
    return import_graph(modules())


def test_no_import_cycle_anywhere(graph):
    assert cycles(graph) == []


def test_every_app_has_its_layer(graph):
    apps = {app_of(module) for module in graph if is_domain(module)}
    unplaced = sorted(app for app in apps if not any(app in layer for layer in LAYERS))
    assert unplaced == [], "say in LAYERS and docs/architecture.md where these apps stand"


def test_domain_imports_point_down(graph):
    assert layer_violations(graph) == []


def test_consent_imports_none_of_the_apps_that_use_it(graph):
    consent = {module for module in graph if app_of(module) == "consent"}
    reached = {target for module in consent for target in graph[module]}
    assert {app_of(target) for target in reached} <= {"core", "consent"}


def test_nothing_below_privacy_imports_it(graph):
    users = {
        module
        for module, imported in graph.items()
        if is_domain(module) and app_of(module) != "privacy"
        if any(app_of(target) == "privacy" for target in imported)
    }
    assert users == set()


# The checks themselves, on graphs made up to break each rule.


def test_the_cycle_check_finds_a_cycle_through_a_function_import(tmp_path):
    package = tmp_path / "camshaft"
    (package / "orders").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "orders" / "__init__.py").write_text("")
    (package / "orders" / "services.py").write_text("from camshaft.orders import tasks\n")
    (package / "orders" / "tasks.py").write_text(
        "def run():\n    from camshaft.orders.services import place\n"
    )
    found = modules(package)
    assert set(cycles(import_graph(found))) == {
        "camshaft.orders.services",
        "camshaft.orders.tasks",
    }


def test_the_layer_check_refuses_an_upward_or_presentation_import():
    layers = (("core",), ("orders",))
    graph = {
        "camshaft.core.money": {"camshaft.orders.models"},
        "camshaft.orders.services": {"camshaft.core.views", "camshaft.core.money"},
        "camshaft.orders.views": {"camshaft.orders.services"},
        "camshaft.core.views": set(),
        "camshaft.orders.models": set(),
    }
    assert layer_violations(graph, layers) == [
        "camshaft.core.money imports camshaft.orders.models, from a higher layer",
        "camshaft.orders.services imports camshaft.core.views, which presents the domain",
    ]
