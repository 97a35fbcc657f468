"""The import job itself: resuming after a crash, batch sizes, address normalization."""

import io

import pytest
from sqlalchemy import select

from newsletter.audience import addresses
from newsletter.extensions import db
from newsletter.imports import pipeline
from newsletter.imports.files import fast_normalize_email
from newsletter.models import Contact


def test_a_retried_job_resumes_after_the_last_committed_line(app, weekly):
    rows = "".join(f"user{i}@example.sk\n" for i in range(10)).encode()
    imp = pipeline.store_upload(db.session, weekly.id, io.BytesIO(b"email\n" + rows),
                               "a.csv", "editor@example.com")
    pipeline.configure(db.session, imp.id, legal_basis="consent", source="s", encoding="utf-8",
                      delimiter=",", has_header=True, mapping=["email"])
    imp.status, imp.lines_done, imp.rows_total = "running", 5, 4  # crashed after line 5
    db.session.commit()
    pipeline.run(db.session, imp.id, batch_size=3)
    assert imp.status == "finished" and imp.rows_total == 10
    emails = set(db.session.scalars(select(Contact.email)))
    assert emails == {f"user{i}@example.sk" for i in range(4, 10)}


def test_small_batches_give_the_same_counts(app, weekly):
    data = b"email\n" + b"".join(f"u{i % 7}@example.sk\n".encode() for i in range(20))
    imp = pipeline.store_upload(db.session, weekly.id, io.BytesIO(data), "a.csv", "e")
    pipeline.configure(db.session, imp.id, legal_basis="consent", source="s", encoding="utf-8",
                      delimiter=",", has_header=True, mapping=["email"])
    db.session.commit()
    pipeline.run(db.session, imp.id, batch_size=4)
    assert (imp.rows_total, imp.created, imp.subscribed, imp.duplicates) == (20, 7, 7, 13)


@pytest.mark.parametrize("address", [
    "Jana.Novak@Example.COM", "a+tag@sub.example.org", "o'neil@example.ie",
    "user@bücher.de", "ján@example.sk", "a..b@example.com", "a@localhost", "a@b.local",
    "x@example", "-@example.com", "a@-example.com", "a@example..com", "a b@example.com",
])
def test_fast_normalization_agrees_with_the_validator(app, address):
    try:
        expected = addresses.normalize_email(address)
    except addresses.InvalidAddress:
        with pytest.raises(addresses.InvalidAddress):
            fast_normalize_email(address)
    else:
        assert fast_normalize_email(address) == expected
