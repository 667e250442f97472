import pytest

from tests.reviews.history import march_to_review


@pytest.fixture
def march(org, member):
    """March 2025 to review (tests/reviews/history.py)."""
    return march_to_review(org, member)
