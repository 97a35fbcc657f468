"""Contacts: the time zone their profile shows times in

Revision ID: 0014_locale
Revises: 0013_limits_audit
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_locale'
down_revision = '0013_limits_audit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('contact') as batch:
        batch.drop_column('time_zone')
