"""What the screens show of what a profile may not do: disabled, with the reason in the tooltip.

The services decide (``campaigns.access``); the screens only mirror the decision so nobody
picks a file or fills a form before being told it is not theirs to do. The reason is the
services' own sentence (``lead_only``), so the tooltip and the refusal never disagree.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QWidget

from lastmile_desktop.campaigns.access import Profile, lead_only

# Fields shown but not editable look it: a flat grey box, dimmer text, no spin arrows.
READ_ONLY_STYLE = (
    'QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"],'
    ' QAbstractSpinBox[readOnly="true"] {'
    " background: #eef1f3; color: #4a5560; border: 1px solid #d5dbe0; }"
)


def permit(
    target: QWidget | QAction, permitted: bool, reason: str, tip: str = "", *, enabled: bool = True
) -> None:
    """Enable ``target`` when the profile may use it (and ``enabled`` holds); when it may not,
    disable it with ``reason`` as its tooltip (and status tip, for menu entries)."""
    target.setEnabled(permitted and enabled)
    target.setToolTip(tip if permitted else reason)
    if isinstance(target, QAction):
        target.setStatusTip(tip if permitted else reason)


def permit_lead(
    target: QWidget | QAction, profile: Profile, action: str, tip: str = "", *, enabled: bool = True
) -> None:
    """``permit`` for what only the regional lead does (``action`` from ``LeadAction``)."""
    permit(target, profile.is_lead, lead_only(action), tip, enabled=enabled)


def set_field_read_only(widget: QLineEdit | QPlainTextEdit | QAbstractSpinBox, on: bool) -> None:
    """Read-only, and visibly so: the style sheet's ``readOnly`` rule needs a re-polish."""
    widget.setReadOnly(on)
    if isinstance(widget, QAbstractSpinBox):
        widget.setButtonSymbols(
            QAbstractSpinBox.ButtonSymbols.NoButtons
            if on
            else QAbstractSpinBox.ButtonSymbols.UpDownArrows
        )
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
