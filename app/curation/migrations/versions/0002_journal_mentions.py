"""Which entities each change concerns, so the journal is filtered by entity in the database.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from app.curation.journal import mentions_of

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    mentions = op.create_table(
        "journal_mentions",
        sa.Column("entity", sa.String(300), primary_key=True),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
    )
    op.create_index("ix_journal_actor", "journal", ["actor", "seq"])
    op.create_index("ix_journal_at", "journal", ["at"])
    journal = sa.table(
        "journal",
        sa.column("seq"),
        sa.column("kind"),
        sa.column("target"),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(journal.c.seq, journal.c.kind, journal.c.target, journal.c.before, journal.c.after)
    ).all()
    found = [
        {"entity": entity, "seq": row.seq}
        for row in rows
        for entity in mentions_of(row.kind, row.target, row.before, row.after)
    ]
    if found:
        op.bulk_insert(mentions, found)


def downgrade() -> None:
    op.drop_index("ix_journal_at", "journal")
    op.drop_index("ix_journal_actor", "journal")
    op.drop_table("journal_mentions")
