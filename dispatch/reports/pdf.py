"""The monthly report as a PDF for the owner: the figures, twelve months of profit, who it was made on."""
from decimal import Decimal

from dispatch.company.models import CompanySettings
from dispatch.invoicing.pdf import DocumentPdf
from dispatch.reports import charts
from dispatch.reports.dashboard import FIGURES, MonthFigures
from dispatch.reports.profitability import Profitability

FIGURE_NAMES = dict(zip(FIGURES, ("Revenue", "Parts cost", "Labour cost", "Mileage reimbursed", "Expenses", "Net profit", "Cash received")))
CHART_WIDTH_MM, CHART_HEIGHT_MM = 180, 50


def render_monthly_report_pdf(
    company: CompanySettings, month: MonthFigures, history: list[MonthFigures], customers: list[Profitability], technicians: list[Profitability]
) -> bytes:
    pdf = DocumentPdf()
    pdf.add_page()
    pdf.set_title(f"Monthly report {month.month}")
    pdf.letterhead(company, f"Monthly report {month.month}")
    _table(pdf, ["", "Amount"], [[FIGURE_NAMES[name], _money(month.figures[name])] for name in FIGURES], (120, 60))
    pdf.write_line("Net profit, last twelve months", bold=True)
    _profit_chart(pdf, [(figures.month, figures.figures["net_profit"]) for figures in history])
    for title, rows in (("Customers, best margin first", customers[:10]), ("Technicians", technicians)):
        pdf.write_line(title, bold=True)
        _table(
            pdf,
            ["Name", "Hours", "Revenue", "Costs", "Margin"],
            [[row.name, f"{row.hours}", _money(row.revenue), _money(row.parts_cost + row.labour_cost), _money(row.margin)] for row in rows],
            (70, 20, 30, 30, 30),
        )
    return bytes(pdf.output())


def _table(pdf: DocumentPdf, heading: list[str], rows: list[list[str]], widths: tuple) -> None:
    pdf.set_font(pdf.font_name, "", 10)
    with pdf.table(
        width=sum(widths), col_widths=widths, text_align=["L", *["R"] * (len(widths) - 1)], borders_layout="HORIZONTAL_LINES", line_height=6, align="LEFT"
    ) as table:
        table.row(heading)
        for row in rows:
            table.row([pdf.text(row[0]), *row[1:]])
    pdf.ln(4)


def _profit_chart(pdf: DocumentPdf, values: list[tuple[str, Decimal]]) -> None:
    """The dashboard's bars, scaled from its SVG units to millimetres on the page."""
    bars, zero = charts.profit_bars(values)
    x_scale, y_scale = CHART_WIDTH_MM / charts.WIDTH, CHART_HEIGHT_MM / charts.HEIGHT
    left, top = pdf.l_margin, pdf.get_y()
    pdf.set_font(pdf.font_name, "", 7)
    for bar in bars:
        pdf.set_fill_color(*((46, 125, 50) if bar.value >= 0 else (198, 40, 40)))
        if bar.height:
            pdf.rect(left + bar.x * x_scale, top + bar.y * y_scale, bar.width * x_scale, bar.height * y_scale, style="F")
        pdf.set_xy(left + bar.x * x_scale, top + CHART_HEIGHT_MM + 1)
        pdf.cell(bar.width * x_scale, 4, bar.label[2:], align="C")
    pdf.line(left, top + zero * y_scale, left + CHART_WIDTH_MM, top + zero * y_scale)
    pdf.set_fill_color(255)  # the tables below take the fill colour for their heading
    pdf.set_xy(left, top + CHART_HEIGHT_MM + 8)


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"
