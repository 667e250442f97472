"""Every write to CRM records goes through these modules."""
