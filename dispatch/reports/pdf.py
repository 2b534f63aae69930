"""The monthly report as a PDF for the owner: the figures, twelve months of profit, who it was made on."""
from decimal import Decimal

from dispatch.company.models import CompanySettings
from dispatch.invoicing.pdf import DocumentPdf
from dispatch.reports import charts
from dispatch.reports.dashboard import FIGURES, MonthFigures
from dispatch.reports.profitability import Profitability

FIGURE_NAMES = dict(zip(FIGURES, ("Revenue", "Parts cost", "Labour cost", "Mileage reimbursed", "Expenses", "Net profit", "Cash received")))
CHART_WIDTH_MM, CHART_HEIGHT_MM = 180, 50
PEOPLE_COLUMNS = (("Name", 70, "L"), ("Hours", 20, "R"), ("Revenue", 30, "R"), ("Costs", 30, "R"), ("Margin", 30, "R"))


def render_monthly_report_pdf(
    company: CompanySettings, month: MonthFigures, history: list[MonthFigures], customers: list[Profitability], technicians: list[Profitability]
) -> bytes:
    pdf = DocumentPdf()
    pdf.add_page()
    pdf.set_title(f"Monthly report {month.month}")
    pdf.letterhead(company, f"Monthly report {month.month}")
    pdf.column_table((("", 120, "L"), ("Amount", 60, "R")), [[FIGURE_NAMES[name], _money(month.figures[name])] for name in FIGURES])
    pdf.ln(4)
    pdf.write_line("Net profit, last twelve months", bold=True)
    _profit_chart(pdf, [(figures.month, figures.figures["net_profit"]) for figures in history])
    for title, rows in (("Customers, best margin first", customers[:10]), ("Technicians", technicians)):
        pdf.write_line(title, bold=True)
        pdf.column_table(
            PEOPLE_COLUMNS,
            [[pdf.text(row.name), f"{row.hours}", _money(row.revenue), _money(row.parts_cost + row.labour_cost), _money(row.margin)] for row in rows],
        )
        pdf.ln(4)
    return bytes(pdf.output())


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
