"""A published version's document written out as rows (reports.models.Published*).

`rows_from_document` reads the stored JSON document — the same one the web page, the PDF and
the HWPX are made from — so the API's figures are the printed ones. `record` runs once, when
the version is published; the migration that introduced the rows ran it for older versions.
"""

from __future__ import annotations

from decimal import Decimal

STAFFING_ROWS = ("정원", "현원")


def rows_from_document(data: dict) -> dict[str, list[dict]]:
    """Field values of the published rows of one document, by model name."""
    return {
        "publishedstaffingcell": _staffing(data["staffing"]),
        "publishedbudgetrow": _budget(data["budget"]),
        "publishedcard": _cards(data["sections"]),
    }


def _staffing(table: dict) -> list[dict]:
    if table["as_of"] is None:
        return []
    series = [group["label"] for group in table["groups"] for _ in range(group["span"])]
    by_label = {row["label"]: row["cells"] for row in table["rows"]}
    authorized, current = (by_label[label] for label in STAFFING_ROWS)
    return [
        {
            "position": position,
            "as_of": table["as_of"],
            "series": series[column],
            "grade": grade,
            "authorized": authorized[column] or 0,
            "current": current[column] or 0,
        }
        for position, (column, grade) in enumerate(
            (column, grade)
            for column, grade in enumerate(table["grades"])
            if authorized[column] is not None or current[column] is not None
        )
    ]


def _budget(table: dict) -> list[dict]:
    return [
        {
            "position": position,
            "name": row["name"],
            "amount": row["amount"],
            "executed": row["executed"],
            "expected": row["expected"],
            "rate": None if row["rate"] is None else Decimal(row["rate"]),
            "as_of": row.get("as_of") or table["as_of"],
        }
        for position, row in enumerate(table["rows"])
    ]


def _cards(sections: list[dict]) -> list[dict]:
    rows = []
    for section in sections:
        for card in section["cards"]:
            rows.append(
                {
                    "position": len(rows),
                    "section_numeral": section["numeral"],
                    "section_kind": section["kind"],
                    "section_title": section["title"],
                    "number": card["number"],
                    "title": card["title"],
                    "team": card["team"],
                    "purpose": card["purpose"],
                    "blocks": card["blocks"],
                    "budget": card["budget"],
                }
            )
    return rows


def record(version, apps=None) -> None:
    """Write the rows of `version` (a new version, or one of a migration's historical models)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    for model_name, rows in rows_from_document(version.document).items():
        model = apps.get_model("reports", model_name)
        model.objects.bulk_create(model(version_id=version.pk, **row) for row in rows)
