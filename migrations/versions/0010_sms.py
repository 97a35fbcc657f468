"""SMS campaigns: campaign SMS fields, typed contact phones, the SMS account and quota ledger

Revision ID: 0010_sms
Revises: 0009_review
Create Date: 2026-11-29 16:16:43.576970

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_sms'
down_revision = '0009_review'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reserved', sa.Integer(), server_default='0', nullable=False),
    sa.Column('alphanumeric_sender', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint('available >= 0', name=op.f('ck_sms_account_available')),
    sa.CheckConstraint('reserved >= 0', name=op.f('ck_sms_account_reserved')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_account'))
    )
    op.create_table('contact_phone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_contact_phone_contact_id_contact'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_phone')),
    sa.UniqueConstraint('contact_id', 'kind', name=op.f('uq_contact_phone_contact_id_kind'))
    )
    with op.batch_alter_table('contact_phone', schema=None) as batch_op:
        batch_op.create_index('ix_contact_phone_number', ['number'], unique=False)

    op.create_table('sms_quota_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('available_after', sa.Integer(), nullable=False),
    sa.Column('reserved_after', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('actor', sa.String(length=254), server_default=sa.text("''"), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_sms_quota_movement_campaign_id_campaign'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_quota_movement'))
    )
    with op.batch_alter_table('sms_quota_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_quota_movement_campaign_id'), ['campaign_id'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_text', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('sms_sender', sa.String(length=20), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('sms_gateway', sa.String(length=64), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('sms_phone_field', sa.String(length=16), server_default='phone', nullable=False))
        batch_op.add_column(sa.Column('sms_transliterate', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('sms_opt_out', sa.String(length=60), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('sms_parts_reserved', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('sms_parts_used', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_parts', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('sms_parts')

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('sms_parts_used')
        batch_op.drop_column('sms_parts_reserved')
        batch_op.drop_column('sms_opt_out')
        batch_op.drop_column('sms_transliterate')
        batch_op.drop_column('sms_phone_field')
        batch_op.drop_column('sms_gateway')
        batch_op.drop_column('sms_sender')
        batch_op.drop_column('sms_text')

    with op.batch_alter_table('sms_quota_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_quota_movement_campaign_id'))

    op.drop_table('sms_quota_movement')
    with op.batch_alter_table('contact_phone', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_phone_number')

    op.drop_table('contact_phone')
    op.drop_table('sms_account')
