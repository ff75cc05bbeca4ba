"""A realistic synthetic catalogue for demos, tests and benchmarks (`camshaft demo`)."""

from camshaft.catalog.demo.generator import CatalogueNotEmpty, DemoReport, build_demo_catalogue

__all__ = ["CatalogueNotEmpty", "DemoReport", "build_demo_catalogue"]
