"""The base class of this package's widget mixins.

A mixin adds behaviour to a Textual widget class it is mixed into. For the type
checker it is a :class:`~textual.widget.Widget` (so its methods may use the widget's
API); at run time it is a plain class, since a Widget base would bring Widget's
CSS and machinery along a second time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widget import Widget

    WidgetMixin = Widget
else:
    WidgetMixin = object

__all__ = ["WidgetMixin"]
