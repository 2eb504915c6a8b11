"""Renderers of a briefing :class:`~.document.Document`: Markdown and standalone HTML.

Every run of text is escaped for the output format, so content can never become
markup: in HTML everything goes through :func:`html.escape`; in Markdown every
character that could start emphasis, a link, code, raw HTML, an entity or a table
cell is backslash-escaped, and so is anything at the start of a line that would
make a heading, list, quote or rule.
"""

from __future__ import annotations

import html
import re

from .. import __version__
from .document import Block, Document, Heading, Item, ItemList, Line, Paragraph, Run, Style

FORMATS = ("markdown", "html")

# -- Markdown ----------------------------------------------------------------

_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>#|~]|&(?=#?[0-9A-Za-z]+;)")
"""Characters that are markup anywhere in a line (``&`` only when it starts an entity)."""
_MD_LINE_START = re.compile(r"^(?:([-+=])|([0-9]+)([.)]))")
"""What makes a list item, a setext underline or an ordered list at the start of a line."""
_MD_PREFIX = {Style.STRONG: "**", Style.EMPHASIS: "*"}


def escape_markdown(text: str) -> str:
    """``text`` as literal Markdown inline text on one line."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), " ".join(text.splitlines()))


def _md_code(text: str, in_table: bool) -> str:
    text = " ".join(text.splitlines())
    ticks = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if in_table:  # GFM splits cells at | even inside code spans
        text = text.replace("|", "\\|")
    return f"{ticks}{text}{ticks}"


def _md_run(run: Run, in_table: bool) -> str:
    if not run.text:
        return ""
    if run.style is Style.CODE:
        return _md_code(run.text, in_table)
    mark = _MD_PREFIX.get(run.style, "")
    return f"{mark}{escape_markdown(run.text)}{mark}"


def _md_line(line: Line, in_table: bool = False) -> str:
    text = "".join(_md_run(run, in_table) for run in line)
    if in_table:
        return text
    text = text.lstrip()  # indentation would make a code block or a nested list
    return _MD_LINE_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text
    )


def _md_lines(lines: tuple[Line, ...], indent: str) -> str:
    # A backslash at the end of a line is a hard line break.
    return ("\\\n" + indent).join(_md_line(line) for line in lines)


def _md_items(items: tuple[Item, ...], ordered: bool, indent: str = "") -> list[str]:
    out = []
    for number, item in enumerate(items, 1):
        marker = f"{number}. " if ordered else "- "
        inner = indent + " " * len(marker)
        out.append(indent + marker + _md_lines(item.lines, inner))
        out += _md_items(item.children, False, inner)
    return out


def _md_block(block: Block) -> str:
    if isinstance(block, Heading):
        return "#" * block.level + " " + _md_line(block.line)
    if isinstance(block, Paragraph):
        return _md_lines(block.lines, "")
    if isinstance(block, ItemList):
        return "\n".join(_md_items(block.items, block.ordered))
    rows = [
        "| " + " | ".join(escape_markdown(h) for h in block.header) + " |",
        "|" + "|".join("---" for _ in block.header) + "|",
    ]
    rows += ["| " + " | ".join(_md_line(c, True) for c in row) + " |" for row in block.rows]
    return "\n".join(rows)


def render_markdown(document: Document) -> str:
    """The document as CommonMark with GitHub tables."""
    return "\n\n".join(_md_block(block) for block in document.blocks) + "\n"


# -- HTML --------------------------------------------------------------------

_STYLESHEET = """
:root { color-scheme: light dark; --muted: #666; --rule: #ccc; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; }
main { max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; margin-bottom: 0.25rem; }
h2 { border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3 { margin-top: 1.8rem; }
li { margin: 0.4rem 0; }
a { color: inherit; text-decoration-color: var(--muted); }
code { font-size: 0.9em; overflow-wrap: anywhere; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 0.95rem; }
th, td { border: 1px solid var(--rule); padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: rgba(127, 127, 127, 0.12); }
@media print { main { max-width: none; margin: 0; } a { text-decoration: none; } }
""".strip()
_CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""No scripts, no external resources, even if something slipped through escaping."""
_HTML_TAG = {Style.STRONG: "strong", Style.EMPHASIS: "em", Style.CODE: "code"}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _anchor(anchor: str | None) -> str:
    return f' id="{_esc(anchor)}"' if anchor else ""


def _html_run(run: Run) -> str:
    text = _esc(run.text)
    tag = _HTML_TAG.get(run.style)
    if tag:
        text = f"<{tag}>{text}</{tag}>"
    if run.link:
        text = f'<a href="#{_esc(run.link)}">{text}</a>'
    return text


def _html_lines(lines: tuple[Line, ...]) -> str:
    return "<br>\n".join("".join(_html_run(run) for run in line) for line in lines)


def _html_items(items: tuple[Item, ...], ordered: bool) -> str:
    tag = "ol" if ordered else "ul"
    out = [f"<{tag}>"]
    for item in items:
        children = _html_items(item.children, False) if item.children else ""
        out.append(f"<li{_anchor(item.anchor)}>{_html_lines(item.lines)}{children}</li>")
    out.append(f"</{tag}>")
    return "\n".join(out)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        line = _html_lines((block.line,))
        return f"<h{block.level}{_anchor(block.anchor)}>{line}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_html_lines(block.lines)}</p>"
    if isinstance(block, ItemList):
        return _html_items(block.items, block.ordered)
    header = "".join(f'<th scope="col">{_esc(h)}</th>' for h in block.header)
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{_html_lines((cell,))}</td>" for cell in row) + "</tr>"
        for row in block.rows
    )
    return (
        f'<div class="table"><table>\n<thead><tr>{header}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table></div>"
    )


def render_html(document: Document) -> str:
    """The document as one standalone HTML page: inline styles, no scripts, no resources."""
    body = "\n".join(_html_block(block) for block in document.blocks)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dossier {_esc(__version__)}">
<title>{_esc(document.title)}</title>
<style>
{_STYLESHEET}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def render(document: Document, output_format: str) -> str:
    """The document in ``output_format`` (one of :data:`FORMATS`)."""
    if output_format == "html":
        return render_html(document)
    if output_format == "markdown":
        return render_markdown(document)
    raise ValueError(f"unknown format {output_format!r}; choose one of {', '.join(FORMATS)}")
