"""The editor's screens: each account's time zone (scheduling shown in it) and a
campaign's preheader (the preview line after the subject in inboxes)

Revision ID: 0015_screens
Revises: 0014_locale
Create Date: 2026-11-29 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_screens'
down_revision = '0014_locale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False,
                                   server_default='UTC'))
    with op.batch_alter_table('campaign') as batch:
        batch.add_column(sa.Column('preheader', sa.String(length=200), nullable=False,
                                   server_default=sa.text("''")))


def downgrade():
    with op.batch_alter_table('campaign') as batch:
        batch.drop_column('preheader')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('time_zone')
