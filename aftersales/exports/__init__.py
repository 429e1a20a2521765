"""A shop's cases, refunds and inspections as spreadsheets (CSV/XLSX): the rows of three apps in one
place, above them, so that none of them imports another's models to export them."""
