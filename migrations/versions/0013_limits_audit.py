"""Saved templates (counted by the plan's templates limit)

Revision ID: 0013_limits_audit
Revises: 0012_sms_gateways
Create Date: 2026-11-29 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0013_limits_audit'
down_revision = '0012_sms_gateways'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'saved_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('blocks', JSON, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_saved_template_created_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_template')),
        sa.UniqueConstraint('name', name=op.f('uq_saved_template_name')),
    )


def downgrade():
    op.drop_table('saved_template')
