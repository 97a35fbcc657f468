"""A/B tests of subjects (ab_test, delivery.variant, delivery.ab_rest) and local-time
delivery (campaign.local_send_time, delivery.not_before, delivery.local_zone)

Revision ID: 0023_ab_localtime
Revises: 0022_sequences
Create Date: 2026-11-29 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0023_ab_localtime'
down_revision = '0022_sequences'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ab_test',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('subjects', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                     'postgresql'), nullable=False),
        sa.Column('sample_percent', sa.Integer(), nullable=False),
        sa.Column('wait_minutes', sa.Integer(), nullable=False),
        sa.Column('metric', sa.String(length=8), nullable=False),
        sa.Column('decide_at', sa.DateTime(), nullable=True),
        sa.Column('winner', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_ab_test_campaign_id_campaign'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_ab_test')),
    )
    with op.batch_alter_table('ab_test', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ab_test_decide_at'), ['decide_at'], unique=False)
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_send_time', sa.String(length=5),
                                      server_default=sa.text("''"), nullable=False))
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_before', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('local_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('variant', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ab_rest', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('ab_rest')
        batch_op.drop_column('variant')
        batch_op.drop_column('local_zone')
        batch_op.drop_column('not_before')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('local_send_time')
    with op.batch_alter_table('ab_test', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ab_test_decide_at'))
    op.drop_table('ab_test')
