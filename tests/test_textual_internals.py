"""Canary: Textual still has every private thing tui/textual_internals.py relies on.

Each test names the private name, attribute or signature, and fails with a message
saying what changed in Textual, so an upgrade fails here instead of as a TypeError at
draw time or a cell mismatch in the drawing tests.
"""

from __future__ import annotations

import importlib
import inspect
import sys

import textual
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver
from textual.screen import Screen
from textual.widget import Widget

from tui.textual_internals import RENDER_LINE_PARAMETERS

CHANGED = f"Textual {textual.__version__} changed: "


def test_styles_cache_module_and_class() -> None:
    try:
        module = importlib.import_module("textual._styles_cache")
    except ImportError as error:
        raise AssertionError(CHANGED + "module textual._styles_cache is gone") from error
    assert hasattr(module, "StylesCache"), CHANGED + "textual._styles_cache.StylesCache is gone"
    cache = module.StylesCache()  # FramedStylesCache calls super().__init__() bare
    for method in ("render_line", "clear", "set_dirty"):
        assert callable(getattr(cache, method, None)), CHANGED + f"StylesCache.{method} is gone"


def test_styles_cache_render_line_signature() -> None:
    from textual._styles_cache import StylesCache

    names = tuple(inspect.signature(StylesCache.render_line).parameters)
    assert names == RENDER_LINE_PARAMETERS, (
        CHANGED + f"StylesCache.render_line{names} is not "
        f"render_line{RENDER_LINE_PARAMETERS} (FramedStylesCache overrides it)"
    )


def test_widget_private_attributes() -> None:
    from textual._styles_cache import StylesCache

    widget = Widget()
    expected = {
        "_styles_cache": StylesCache,
        "_repaint_regions": set,
    }
    for name, kind in expected.items():
        assert hasattr(widget, name), CHANGED + f"Widget.{name} is gone"
        value = getattr(widget, name)
        assert isinstance(value, kind), (
            CHANGED + f"Widget.{name} is a {type(value).__name__}, not a {kind.__name__}"
        )
    source = inspect.getsource(Widget.render_lines)
    assert "self._styles_cache.render_widget(" in source, (
        CHANGED + "Widget no longer draws its lines through self._styles_cache"
    )


async def test_linux_driver_writes_to_its_file() -> None:
    driver = LinuxDriver(App())
    assert getattr(driver, "_file", None) is sys.__stderr__, (
        CHANGED + "LinuxDriver no longer keeps its output stream in _file (stderr)"
    )
    source = inspect.getsource(LinuxDriver.start_application_mode)
    assert "WriterThread(self._file)" in source, (
        CHANGED + "LinuxDriver.start_application_mode no longer writes to self._file"
    )


def test_linux_driver_terminal_size_is_shutils() -> None:
    """tui.output asks shutil for the size, as the driver does (the size a frame is
    compacted for must be the size Textual drew it for)."""
    source = inspect.getsource(LinuxDriver._get_terminal_size)
    assert "shutil.get_terminal_size()" in source, (
        CHANGED + "LinuxDriver._get_terminal_size no longer asks shutil.get_terminal_size()"
    )


def test_screen_compositor_render_strips() -> None:
    screen: Screen[None] = Screen()
    compositor = getattr(screen, "_compositor", None)
    assert compositor is not None, CHANGED + "Screen._compositor is gone"
    render_strips = getattr(compositor, "render_strips", None)
    assert callable(render_strips), CHANGED + "Compositor.render_strips is gone"
    names = tuple(inspect.signature(render_strips).parameters)
    assert names == ("size",), CHANGED + f"Compositor.render_strips{names} is not (size=None)"
