"""Sphinx extension: no buttons that lead nowhere.

The book's repository URL lives in ONE place, ``repository.url`` in ``_config.yml``; Jupyter Book
derives the repository, issues, Binder and Colab buttons from it, and the notebooks' hidden Colab
set-up cell installs ``vdsr_lib`` from it (``python scripts/set_repository.py URL`` writes both).
Until a real URL is set (the placeholder contains ``OWNER``), this extension removes every button
that would point at the placeholder, so a book built from a fork or a fresh clone shows none.
"""
from __future__ import annotations

from typing import Any

PLACEHOLDER = "OWNER"
BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button", "use_source_button",
           "use_download_button")


def is_placeholder(url: str | None) -> bool:
    """Whether ``url`` is missing or still the placeholder of ``_config.yml``."""
    return not url or PLACEHOLDER in url


def drop_dead_buttons(theme_options: dict[str, Any]) -> bool:
    """Remove the repository-derived buttons from sphinx-book-theme's options when the repository URL
    is a placeholder; True if it did. The download button stays (it needs no repository)."""
    if not is_placeholder(theme_options.get("repository_url")):
        return False
    for key in BUTTONS[:-1]:
        theme_options[key] = False
    theme_options["launch_buttons"] = {}
    theme_options.pop("repository_url", None)
    return True


def _on_config_inited(app, config) -> None:
    options = dict(config.html_theme_options or {})
    if drop_dead_buttons(options):
        config.html_theme_options = options


def setup(app) -> dict[str, Any]:
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
