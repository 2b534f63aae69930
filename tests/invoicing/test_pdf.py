"""The invoice PDF: whatever a process printed before, each document prints its own customer, lines and totals."""
import io
from decimal import Decimal

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from tests.invoicing.test_email import pdf_text


def embedded_characters(pdf: bytes) -> set[str]:
    """The characters the fonts embedded in the PDF can draw: a document's subsets hold what it printed, no more."""
    characters = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            characters |= {chr(codepoint) for codepoint in program.getBestCmap()}
    return characters


def printed(invoice: dict) -> list[str]:
    """What the customer must read on the invoice: its number, each line and the totals, as the PDF writes money."""
    money = [Decimal(invoice[total]) for total in ("subtotal", "tax", "total")]
    lines = [line["description"] for line in invoice["lines"]] + [Decimal(line["amount"]) for line in invoice["lines"]]
    return [invoice["number"], *(f"{value:,.2f}" if isinstance(value, Decimal) else value for value in money + lines)]


def test_two_invoices_rendered_one_after_the_other_each_print_their_own(shop, make_customer, make_part):
    """The fonts are parsed once per process and shared: nothing a document used may leak into the next one."""
    # The first needs the whole font (Greek); the second only Latin letters, cut from a smaller program.
    zoe = make_customer(name="Zoë Ångström – Ωμέγα", email="zoe@example.test", address="Kräuterweg 5, Kraków")
    lukasz = make_customer(name="Łukasz Wróbel", email="lukasz@example.test", address="ul. Długa 7, Gdańsk")
    valve = make_part(stock=2, location_id=shop.van_id, sku="VLV-EU", name="Ventil € Kältemittel", unit_price="77.10", unit_cost="30.00")
    first_order = shop.work_order(customer_id=zoe["id"], parts=[{"part_id": valve["id"], "quantity": 2}], labor=[{"kind": "onsite", "minutes": 40}])
    first_filed = shop.technician.post("/work-orders", json=first_order).json
    second_filed = shop.technician.post("/work-orders", json=shop.work_order(customer_id=lukasz["id"])).json
    first, second = (shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json for filed in (first_filed, second_filed))

    first_pdf = shop.dispatcher.get(f"/invoices/{first['id']}/pdf").data
    second_pdf = shop.dispatcher.get(f"/invoices/{second['id']}/pdf").data

    first_text, second_text = pdf_text(first_pdf), pdf_text(second_pdf)
    for expected in ["Zoë Ångström – Ωμέγα", "Kräuterweg 5, Kraków", *printed(first)]:
        assert expected in first_text, expected
    for expected in ["Łukasz Wróbel", "ul. Długa 7, Gdańsk", "Condenser fan motor", *printed(second)]:
        assert expected in second_text, expected
    for stranger in ("Łukasz", "Condenser fan motor", second["number"]):
        assert stranger not in first_text, stranger
    for stranger in ("Zoë", "Ventil", first["number"]):
        assert stranger not in second_text, stranger
    # Each document embeds the glyphs it printed, and only those: none of the first's special letters in the second.
    for pdf, text in ((first_pdf, first_text), (second_pdf, second_text)):
        assert set(text) - set(" \n") <= embedded_characters(pdf)
    assert {"ë", "Å", "–", "Ω", "ä", "€", "ó"} <= embedded_characters(first_pdf)
    assert {"Ł", "ó", "ł", "ń"} <= embedded_characters(second_pdf)
    assert not {"ë", "Å", "–", "Ω", "ä", "€"} & embedded_characters(second_pdf)
    assert not {"Ł", "ł", "ń"} & embedded_characters(first_pdf)
