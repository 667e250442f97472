"""File import: a mapping document, reading any CRM's CSV or XLSX export, validating rows
in chunks with pandas, and writing through COPY into staging tables and SQL upserts."""
