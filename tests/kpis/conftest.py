from tests.crm.imports.conftest import run_import  # noqa: F401 - the data sets' import fixture
