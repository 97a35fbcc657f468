"""Admin in the account's language; public pages wear a theme (the list's, else the one
marked as default) with a link back to the owner's site

Revision ID: 0021_admin_locale
Revises: 0023_ab_localtime
Create Date: 2026-11-29 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_admin_locale'
down_revision = '0023_ab_localtime'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en',
                                      nullable=False))
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_url', sa.String(length=500),
                                      server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('public_default', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_mailing_list_theme_id_theme'), 'theme',
                                    ['theme_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mailing_list_theme_id_theme'), type_='foreignkey')
        batch_op.drop_column('theme_id')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('public_default')
        batch_op.drop_column('site_url')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
