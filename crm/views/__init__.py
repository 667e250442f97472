"""Pages of the CRM: lists, details, forms, the lead timeline, imports."""
