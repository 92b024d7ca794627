"""Jinja2 templates to one self-contained HTML string, and WeasyPrint to PDF."""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from report_builder.config import Config
from report_builder.report import narrative
from report_builder.errors import PdfEngineMissing
from report_builder.report.figure import CHART_SCHEME
from report_builder.report.filters import FILTERS
from report_builder.report.fonts import font_face_css
from report_builder.report.png_passthrough import pass_png_through
from report_builder.report.structure import DrawnSection, ReportView
from report_builder.resources import templates_dir


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    # Every verdict and number-bearing sentence comes from here. The package itself is imported (not only `say`),
    # so the modules it holds are part of this stage's code in the cache key.
    env.globals["say"] = narrative.say
    return env


def render_html(results: object, sections: tuple[DrawnSection, ...], settings: Config) -> str:
    """The report as one self-contained HTML page (charts as SVG); `results` is the table's results object."""
    return _rendered(results, sections, settings, for_print=False)


@dataclass(frozen=True)
class PrintPage:
    """The page the PDF is laid out from, and the PNG of each chart it names (`Figure.print_src`), by chart key.

    The charts stay out of the HTML: as base64 inside it they were 2.3 of its 2.4 MB, which WeasyPrint's HTML parser
    read character run by character run (0.25 s of every layout)."""

    html: str
    charts: tuple[tuple[str, bytes], ...] = ()


def render_print_html(results: object, sections: tuple[DrawnSection, ...], settings: Config) -> PrintPage:
    """The same page for the PDF: charts as PNG images, which WeasyPrint lays out far faster than SVG."""
    charts = tuple((key, figure.drawing.png) for section in sections for key, figure in section.figures.items())
    return PrintPage(_rendered(results, sections, settings, for_print=True), charts)


def _rendered(results: object, sections: tuple[DrawnSection, ...], settings: Config, for_print: bool) -> str:
    view = ReportView(results, settings, sections)
    # The stylesheet and fonts are the project's own files, not data: trusted markup.
    css = Markup((templates_dir() / "report.css").read_text(encoding="utf-8"))
    template = environment().get_template("report.html.j2")
    return template.render(v=view, r=view.results, css=css, fonts_css=Markup(font_face_css(for_print)), for_print=for_print)


def import_weasyprint() -> ModuleType:
    """Import WeasyPrint, or raise PdfEngineMissing when its system libraries are absent.

    Every use of WeasyPrint goes through here first, and only when a PDF is wanted: building
    HTML never loads it. At import WeasyPrint opens Pango with dlopen; without Pango the import
    raises OSError after printing an English banner on stdout, which is swallowed here.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except OSError as exc:
        raise PdfEngineMissing.from_os_error(exc) from exc
    import weasyprint.images

    pass_png_through(weasyprint.images)
    return weasyprint


def local_fetcher(charts: Iterable[tuple[str, bytes]] = ()) -> object:
    """A WeasyPrint URL fetcher that reads only inline data, the project's templates folder and the given charts' PNGs
    (`Figure.print_src`)."""
    import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    root = templates_dir().resolve().as_uri() + "/"
    drawn = dict(charts)

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> object:
            if url.startswith(CHART_SCHEME):
                name = unquote(url[len(CHART_SCHEME):])  # WeasyPrint asks for it %-encoded
                if name not in drawn:  # WeasyPrint would leave the chart out with a warning: a PDF short of a chart
                    raise FatalURLFetchingError(f"the print page names a chart it does not carry: {name!r}")
                return URLFetcherResponse(url, drawn[name], {"Content-Type": "image/png"})
            if not (url.startswith("data:") or url.startswith(root)):
                raise ValueError(f"blocked resource: {url[:80]}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


PDF_VARIANT = "pdf/a-3u"  # archival PDF that may carry files; tagged for screen readers as well
SUMMARY_NAME = "summary.json"


def render_pdf(page: PrintPage | str) -> bytes:
    """The PDF/A-3 layout of the print page (or of an HTML text without charts), without attachments: it depends only
    on what the report shows.

    WeasyPrint is imported here, so a build whose layout is cached never loads it. Title, author and
    creation date of the XMP metadata come from the page's <title> and <meta> tags.
    """
    weasyprint = import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    # WeasyPrint copies the @font-face files into a temporary folder of its own and removes it only when the font
    # configuration is garbage-collected; the laid-out document holds it in reference cycles, and the command ends
    # without a last collection (`ending`), so the folder is removed here, once the PDF is written.
    fonts = FontConfiguration()
    try:
        page = page if isinstance(page, PrintPage) else PrintPage(page)
        fetcher = local_fetcher(page.charts)
        document = weasyprint.HTML(string=page.html, base_url=str(templates_dir()), url_fetcher=fetcher)
        return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=fonts)
    except weasyprint.urls.FatalURLFetchingError as exc:  # a BaseException: the build reports it as any other failure
        raise RuntimeError(str(exc)) from None
    finally:
        fonts.__del__()  # its own clean-up: removes the folder, and does nothing when no font was copied


def attach_summary(layout: bytes, summary: bytes | None = None) -> bytes:
    """The laid-out PDF with this build's summary.json inside as a PDF/A-3 associated file, so the one file kept also
    holds the numbers behind it; added to the laid-out file (qpdf, through pikepdf), without laying the pages out again.

    The customer list (personal data) is never inside: the PDF is the document that is mailed around.
    """
    if summary is None:
        return layout
    import pikepdf

    with pikepdf.open(io.BytesIO(layout)) as pdf:
        spec = pikepdf.AttachedFileSpec(pdf, summary, description="Все числа отчёта", filename=SUMMARY_NAME,
                                        mime_type="application/json", relationship=pikepdf.Name.Data)
        pdf.attachments[SUMMARY_NAME] = spec
        pdf.Root.AF = pikepdf.Array([spec.obj])  # PDF/A-3: the file is associated with the document
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()
