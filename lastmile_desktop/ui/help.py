"""The Help menu: the user guide (the README's sections for users) and the About box."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop import APP_NAME, __version__
from lastmile_desktop.logging_setup import LOG_FILE_NAME
from lastmile_desktop.settings import data_dir, log_dir, user_guide_text

# Sections of the README written for whoever builds, packages or measures the app, not for
# whoever uses it. Every other section is part of the user guide.
DEVELOPER_SECTIONS = frozenset(
    {
        "Start on a fresh machine",
        "Make targets",
        "System packages for Qt on Linux",
        "Packaging",
        "Performance",
    }
)
_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$")


@dataclass(frozen=True)
class GuideSection:
    title: str
    markdown: str


def user_guide_sections(readme: str) -> list[GuideSection]:
    """The README's second-level sections meant for users, in order, with the intro first.

    Screenshots are left out (their files are not shipped with the app); so is any section
    for developers (``DEVELOPER_SECTIONS``).
    """
    sections: list[GuideSection] = []
    title, lines = "", list[str]()
    in_code = False

    def close() -> None:
        body = "\n".join(line for line in lines if not _IMAGE_LINE.match(line)).strip()
        if title and title not in DEVELOPER_SECTIONS and body:
            sections.append(GuideSection(title, f"## {title}\n\n{body}\n"))

    for line in readme.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("# ") and not sections and not title:
            title, lines = f"About {APP_NAME}", []
            continue
        if not in_code and line.startswith("## "):
            close()
            title, lines = line[3:].strip(), []
            continue
        lines.append(line)
    close()
    return sections


class UserGuideDialog(QDialog):
    """The sections on the left, the chosen one on the right; Esc closes."""

    def __init__(self, sections: list[GuideSection], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} user guide")
        self.resize(980, 640)
        self.sections = sections
        self.list = QListWidget()
        self.list.setFixedWidth(240)
        self.list.addItems([section.title for section in sections])
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # followed here: to another section, or a web page
        self.browser.anchorClicked.connect(self.follow_link)
        self.list.currentRowChanged.connect(self.show_section)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(self.browser, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        if sections:
            self.list.setCurrentRow(0)
        else:
            self.browser.setPlainText(
                "The user guide could not be found in this installation. It is the README.md "
                "file that comes with Last Mile."
            )

    def show_section(self, row: int) -> None:
        if 0 <= row < len(self.sections):
            self.browser.setMarkdown(self.sections[row].markdown)

    def follow_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
            return
        slugs = [_slug(section.title) for section in self.sections]
        if url.fragment() in slugs:
            self.list.setCurrentRow(slugs.index(url.fragment()))

    def section_titles(self) -> list[str]:
        return [section.title for section in self.sections]


def open_user_guide(parent: QWidget | None) -> UserGuideDialog:
    dialog = UserGuideDialog(user_guide_sections(user_guide_text()), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def about_text(database: str) -> str:
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Win back lapsed customers: import the list, share it out between stores, call, "
        "and see what calling brought back.</p>"
        f"<p><b>Database:</b> {_escape(database)}<br>"
        f"<b>Data folder:</b> {_escape(str(data_dir()))}<br>"
        f"<b>Log file:</b> {_escape(str(log_dir() / LOG_FILE_NAME))}</p>"
    )


def open_about(parent: QWidget | None, database: str) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle(f"About {APP_NAME}")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(database))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _slug(title: str) -> str:
    """The anchor GitHub gives a heading: "Where the data lives" -> "where-the-data-lives"."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")
