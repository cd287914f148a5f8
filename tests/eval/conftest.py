"""Eval tests reuse the dataset tests' small sample corpus and its built dataset."""

from tests.dataset.conftest import built, corpus  # noqa: F401  (fixtures, found by name)
