"""SMS delivery receipts: deliveries are found by the SMSC's message id

Revision ID: 0012_sms_gateways
Revises: 0011_api
Create Date: 2026-11-29 19:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_sms_gateways'
down_revision = '0011_api'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_message_id', ['message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_message_id')
