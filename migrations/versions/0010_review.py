"""campaign review and deliverability checks: sender pages, cached domain checks

Revision ID: 0010
Revises: 0008_session_version
Create Date: 2026-11-29 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008_session_version'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('sender_identity', schema=None) as batch_op:
        for name in ('website_url', 'contact_url', 'privacy_url'):
            batch_op.add_column(sa.Column(name, sa.String(length=500), nullable=True))
    op.create_table(
        'sender_check',
        sa.Column('sender_id', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.Column('items', JSON, nullable=False),
        sa.ForeignKeyConstraint(['sender_id'], ['sender_identity.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('sender_id'),
    )


def downgrade():
    op.drop_table('sender_check')
    with op.batch_alter_table('sender_identity', schema=None) as batch_op:
        for name in ('privacy_url', 'contact_url', 'website_url'):
            batch_op.drop_column(name)
