"""Follow-up campaigns: resend to the recipients of an earlier campaign who did not click
(or open)

Revision ID: 0018_follow_up
Revises: 0017_webhooks
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_follow_up'
down_revision = '0017_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resend_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resend_to', sa.String(length=16),
                                      server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('resend_after_days', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_campaign_resend_of_id_campaign'), 'campaign',
                                    ['resend_of_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_resend_of_id_campaign'), type_='foreignkey')
        batch_op.drop_column('resend_after_days')
        batch_op.drop_column('resend_to')
        batch_op.drop_column('resend_of_id')
