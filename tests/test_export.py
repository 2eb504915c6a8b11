"""``dossier export``: a briefing in Markdown or HTML, escaped, written all at once."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tui.authoring import export
from tui.authoring.document import Document, Paragraph, Table, plain
from tui.authoring.export import main
from tui.authoring.render import render_markdown
from tui.content import load_dossier

from .conftest import FIXTURES, REPO

SMALL = str(FIXTURES / "small")
HOSTILE = str(FIXTURES / "hostile")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "br"),
    *("ul", "ol", "li", "strong", "em", "code", "a", "div", "table", "thead", "tbody"),
    *("tr", "th", "td"),
}
INJECTION = """\
dossier:
  id: inject
  title: "<script>alert(1)</script> <b>Bold</b> **strong** # title"
  summary: |-
    # not a heading
    - not a list
    1. not a list either
    > not a quote
    <img src=x onerror=alert(1)> [link](javascript:alert(1)) &lt;b&gt; `code` \\
  as_of: 2024
sources:
  - id: src
    title: "Source <i>one</i> | with a pipe"
    url: "javascript:alert(1)<script>"
actors:
  - {id: a, name: "A | B <b>x</b>", kind: state, summary: "*emphasis* _under_ ~~strike~~"}
  - {id: b, name: "- dash", kind: state}
issues:
  - id: i
    title: "Issue <u>u</u>"
    summary: "[bold]rich markup[/bold]"
    positions:
      - actor: a
        stance: for
        position: |-
          left | right
          second line | more
        refs: [{source: src, para: 1, quote: "q | uote"}]
      - {actor: b, stance: against, position: "1. | 2. |"}
assessments:
  - {id: v, title: "V", by: a, verdict: "<script>bad()</script>", confidence: low}
"""


class TagCollector(HTMLParser):
    """Every tag and every link target of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.table_rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]
        if tag == "tr":
            self.table_rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.table_rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse_html(document: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(document)
    collector.close()
    return collector


def markdown_to_html(markdown: str) -> str:
    """How a CommonMark renderer with GitHub tables reads the Markdown."""
    rendered: str = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    return rendered


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def export_text(path: str, output_format: str) -> str:
    status, out, err = run(path, "--format", output_format)
    assert (status, err) == (0, "")
    return out


@pytest.fixture
def injection(tmp_path: Path) -> str:
    path = tmp_path / "inject.yaml"
    path.write_text(INJECTION, encoding="utf-8")
    return str(path)


# -- content and order -------------------------------------------------------


@pytest.mark.parametrize("output_format", ["markdown", "html"])
def test_the_verdict_comes_first_then_the_rest_in_reading_order(output_format: str) -> None:
    text = export_text(SMALL, output_format)
    heading = "## {}" if output_format == "markdown" else "<h2>{}</h2>"
    places = [
        text.index(heading.format(name))
        for name in ("Verdict", "Actors", "Issues", "Timeline", "Assessments", "Sources")
    ]
    assert places == sorted(places)
    assert text.index("Nothing will move this year.") < text.index("Northland")
    assert text.index("Small test dossier") < places[0]


def test_markdown_briefing_of_the_small_fixture() -> None:
    text = export_text(SMALL, "markdown")
    assert text.startswith("# Small test dossier\n\nAs of **2020-05**\n")
    assert "- **Nothing will move this year.**\\\n  *No deal soon*\\\n" in text
    assert "  Confidence: high · By: Bea Analyst\n" in text
    assert "| Actor | Stance | Position | Citation |" in text
    assert "| Northland | + for | Yes | A memo ¶1: “the line should move” |" in text
    assert "| Southland | − against | Never. | A memo ¶2 |" in text
    assert "- **2020-04-02** · Border talks · *held*\\\n" in text
    assert "1. Both sides are dug in.\n   - A memo ¶1, ¶2\n" in text
    assert text.endswith("## Sources\n\n- **A memo**\n")


def test_html_briefing_is_a_standalone_page_with_links_inside_it() -> None:
    text = export_text(SMALL, "html")
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta charset="utf-8">' in text and "<style>" in text
    parsed = parse_html(text)
    assert parsed.tags <= ALLOWED_TAGS
    anchors = set(re.findall(r' id="([^"]+)"', text))
    assert parsed.hrefs and all(href[1:] in anchors for href in parsed.hrefs)
    row = ["Northland", "+ for", "Yes", "A memo ¶1: “the line should move”"]
    assert row in parsed.table_rows


def test_consecutive_citations_of_one_source_name_it_once(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "dossier: {id: d, title: D, summary: S, as_of: 2020}\n"
        "sources: [{id: s, title: Memo}, {id: t, title: Other}]\n"
        "actors: [{id: a, name: A, kind: state}]\n"
        "issues: [{id: i, title: I, summary: S, positions: [{actor: a, stance: for, refs:"
        " [{source: s, para: 1}, {source: s, para: 2, quote: q}, {source: t, para: 1}]}]}]\n",
        encoding="utf-8",
    )
    text = export_text(str(path), "markdown")
    assert "| A | + for |  | Memo ¶1; ¶2: “q”; Other ¶1 |" in text


# -- escaping ----------------------------------------------------------------


def test_hostile_fixture_html_has_no_markup_from_content_and_no_controls() -> None:
    text = export_text(HOSTILE, "html")
    assert "<script" not in text.lower()
    assert not CONTROL.search(text.replace("\n", ""))
    parsed = parse_html(text)
    assert parsed.tags <= ALLOWED_TAGS
    assert all(href.startswith("#") for href in parsed.hrefs)
    # Rich markup stays literal text, never turned into tags.
    assert "<h1>[bold]Hostile[/] dossier [@click=app.quit]quit[/]</h1>" in text
    assert "<b>" not in text and "<blink>" not in text


def test_hostile_fixture_markdown_has_no_controls() -> None:
    text = export_text(HOSTILE, "markdown")
    assert not CONTROL.search(text.replace("\n", ""))
    rendered = markdown_to_html(text)
    assert "[bold]Hostile[/] dossier" in html.unescape(rendered)
    assert "<a " not in rendered


def test_html_injection_is_escaped(injection: str) -> None:
    text = export_text(injection, "html")
    parsed = parse_html(text)
    assert parsed.tags <= ALLOWED_TAGS
    assert "<script" not in text and "<b>" not in text and "<img" not in text
    assert all(href.startswith("#") for href in parsed.hrefs)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Bold&lt;/b&gt;" in text
    assert "<code>javascript:alert(1)&lt;script&gt;</code>" in text  # shown, not a link
    assert "&amp;lt;b&amp;gt;" in text  # an entity in content stays as typed


def test_markdown_injection_is_escaped(injection: str) -> None:
    rendered = markdown_to_html(export_text(injection, "markdown"))
    parsed = parse_html(rendered)
    assert parsed.tags <= {"h1", "h2", "h3", "p", "br", "ul", "ol", "li", "strong", "em"} | {
        "code", "table", "thead", "tbody", "tr", "th", "td",
    }  # fmt: skip
    assert "<script" not in rendered and "<img" not in rendered and "<s>" not in rendered
    assert rendered.count("<h1>") == 1 and rendered.count("<blockquote>") == 0
    title = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Bold&lt;/b&gt; **strong** # title"
    assert f"<h1>{title}</h1>" in rendered
    # The whole summary is one paragraph of literal text.
    assert "# not a heading - not a list 1. not a list either &gt; not a quote" in rendered


def test_markdown_table_cells_with_pipes_and_newlines_stay_one_cell(injection: str) -> None:
    rendered = markdown_to_html(export_text(injection, "markdown"))
    rows = parse_html(rendered).table_rows
    assert rows[0] == ["Actor", "Stance", "Position", "Citation"]
    assert rows[1] == [
        "A | B <b>x</b>",
        "+ for",
        "left | right second line | more",
        "Source <i>one</i> | with a pipe ¶1: “q | uote”",
    ]
    assert rows[2] == ["- dash", "− against", "1. | 2. |", ""]


MARKDOWN_TRAPS = [
    "# heading",
    "## heading ##",
    "- item",
    "+ item",
    "* item",
    "1. item",
    "12) item",
    "> quote",
    "---",
    "***",
    "___",
    "===",
    "**bold**",
    "__bold__",
    "*em* _em_",
    "`code` ``code``",
    "~~strike~~",
    "[link](https://example.org)",
    "![image](x.png)",
    "<b>raw</b>",
    "<https://example.org>",
    "&amp; &#60; &copy;",
    "back\\slash \\* trailing\\",
    "a | b",
    "[ref]: https://example.org",
    "    indented",
]


@pytest.mark.parametrize("text", MARKDOWN_TRAPS)
def test_markdown_escaping_round_trips(text: str) -> None:
    document = Document("t", (Paragraph(((plain(text),),)),))
    rendered = markdown_to_html(render_markdown(document))
    assert rendered == f"<p>{html.escape(text.strip(), quote=False)}</p>\n"


PUNCTUATION = st.text(alphabet=" ab1.)#*_-+=>|`~[]()<!&;\\:/", min_size=1, max_size=20)


@given(PUNCTUATION.filter(lambda t: t.strip() == t and t.strip()))
def test_markdown_escaping_round_trips_any_punctuation(text: str) -> None:
    document = Document("t", (Paragraph(((plain(text),),)), Table(("h",), (((plain(text),),),))))
    rendered = markdown_to_html(render_markdown(document))
    paragraph = rendered[: rendered.index("<table>")]
    assert paragraph == f"<p>{html.escape(text, quote=False)}</p>\n"
    assert parse_html(rendered).table_rows == [["h"], [text]]


# -- the command -------------------------------------------------------------


def test_stdout_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([SMALL]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# Small test dossier\n")
    assert captured.err == ""


def test_output_file_format_follows_its_name(tmp_path: Path) -> None:
    target = tmp_path / "brief.html"
    status, out, err = run(SMALL, "-o", str(target))
    assert (status, err) == (0, "")
    assert out.startswith(f"wrote {target} (html, ")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert run(SMALL, "-o", str(tmp_path / "brief.md"))[0] == 0
    assert (tmp_path / "brief.md").read_text(encoding="utf-8").startswith("# Small")


def test_an_existing_file_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "brief.md"
    target.write_bytes(b"my notes\n")
    status, out, err = run(SMALL, "-o", str(target))
    assert status == 1 and out == ""
    assert f"{target} already exists; add --force to replace it" in err
    assert target.read_bytes() == b"my notes\n"
    status, _, err = run(SMALL, "-o", str(target), "--force")
    assert (status, err) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("# Small test dossier")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md"]


def test_a_file_appearing_during_export_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "brief.md"
    real_briefing = export.briefing

    def briefing_while_someone_writes(*args: str) -> str:
        target.write_text("written meanwhile")
        return real_briefing(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "briefing", briefing_while_someone_writes)
    status, _, err = run(SMALL, "-o", str(target))
    assert status == 1 and "already exists" in err
    assert target.read_text() == "written meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "brief.html"
    target.write_bytes(b"<p>the old briefing</p>\n")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    status, out, err = run(SMALL, "-o", str(target), "--force")
    assert status == 1 and out == ""
    assert f"cannot write {target}: No space left on device; nothing was changed" in err
    assert target.read_bytes() == b"<p>the old briefing</p>\n"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]


def test_a_rendering_failure_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "brief.md"
    target.write_bytes(b"old\n")

    def broken(*args: object) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(export, "render", broken)
    with pytest.raises(RuntimeError):
        run(SMALL, "-o", str(target), "--force")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]


def test_an_invalid_dossier_prints_its_problems_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "dossier: {id: t, title: T, summary: S, as_of: 2020}\n"
        "actors:\n  - {id: a, name: A, kind: stat}\n",
        encoding="utf-8",
    )
    target = tmp_path / "brief.md"
    status, out, err = run(str(path), "-o", str(target))
    assert status == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{path}:3:28: error: 'kind' must be one of state, person")
    assert lines[1] == "  hint: did you mean 'state'?"
    assert lines[-1] == f"dossier export: cannot export {path}: 1 error (nothing was written)"
    assert not target.exists()


def test_a_folder_of_dossiers_asks_for_one() -> None:
    status, out, err = run(str(REPO / "content"))
    assert status == 1 and out == ""
    assert "holds several dossiers (example, russia-japan); give the one to export" in err


@pytest.mark.parametrize(
    ("target", "message"),
    [("missing/brief.md", "the folder"), (".", "is a folder")],
)
def test_an_unwritable_target_is_refused_early(tmp_path: Path, target: str, message: str) -> None:
    status, _, err = run(SMALL, "-o", str(tmp_path / target))
    assert status == 1 and message in err


def test_an_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([SMALL, "--format", "pdf"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err


@pytest.mark.parametrize("output_format", ["markdown", "html"])
def test_the_bundled_default_dossier_exports(output_format: str) -> None:
    status, out, err = run("--format", output_format)
    assert (status, err) == (0, "")
    assert "Russia and Japan, spring 2017" in out
    for assessment in load_dossier(REPO / "content" / "russia-japan").assessments:
        assert html.escape(assessment.title) in out or assessment.title in out
    if output_format == "html":
        assert parse_html(out).tags <= ALLOWED_TAGS


def test_the_authoring_commands_do_not_import_textual(tmp_path: Path) -> None:
    code = (
        "import sys, io\n"
        "import tui.authoring\n"
        "from tui.authoring import export, new\n"
        "out = io.StringIO()\n"
        f"assert new.main(['x', '--dir', {str(tmp_path)!r}], out=out) == 0\n"
        f"assert export.main([{str(tmp_path / 'x')!r}, '--format', 'html'], out=out) == 0\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
