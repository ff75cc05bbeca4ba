"""A seller's monthly statement (M4) as CSV, through the store's one CSV
writer (formulas defused): one row per line, then one per currency's totals."""

from camshaft.core.spreadsheet import SafeWriter

COLUMNS = [
    "date",
    "kind",
    "sale",
    "title",
    "quantity",
    "currency",
    "amount",
    "commission",
    "fixed_fee",
    "refund",
    "net",
]


def write_statement_csv(statement, out) -> None:
    writer = SafeWriter(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in statement.lines:
        writer.writerow(
            [
                line.day.isoformat(),
                line.kind,
                line.sale_id,
                line.title,
                line.quantity,
                line.currency,
                line.amount,
                line.commission,
                line.fixed_fee,
                line.refund,
                line.net,
            ]
        )
    for totals in statement.totals:
        writer.writerow(
            [
                f"{statement.month:%Y-%m}",
                "total",
                "",
                "sales, fees and refunds of the month",
                "",
                totals.currency,
                totals.sales,
                totals.commission,
                totals.fixed_fees,
                totals.refunds,
                totals.net,
            ]
        )
        writer.writerow(
            [f"{statement.month:%Y-%m}", "payouts", "", "", "", totals.currency, totals.payouts]
        )
        writer.writerow(
            [f"{statement.month:%Y-%m}", "amount_due", "", "", "", totals.currency, totals.due]
        )
