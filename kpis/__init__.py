"""The KPI engine: facts per organisation x month x channel x campaign, kept fresh
incrementally from the CRM's change journal, and the metric dictionary read from them."""
