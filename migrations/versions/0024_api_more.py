"""Transactional SMS: a transactional message's channel and the SMS parts charged for it

Revision ID: 0024_api_more
Revises: 0019_channels
Create Date: 2026-11-29 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_api_more'
down_revision = '0019_channels'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transactional_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8),
                                      server_default=sa.text("'email'"), nullable=False))
        batch_op.add_column(sa.Column('sms_parts', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('transactional_message', schema=None) as batch_op:
        batch_op.drop_column('sms_parts')
        batch_op.drop_column('channel')
