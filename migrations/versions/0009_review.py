"""campaign review and deliverability checks: sender pages, cached domain checks, review
rules, held campaigns and their decisions, the audit log, plan limits

Revision ID: 0009_review
Revises: 0008_session_version
Create Date: 2026-11-29 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0009_review'
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
    op.create_table(
        'review_category',
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('patterns', sa.Text(), nullable=False),
        sa.Column('allowed', sa.Text(), nullable=False),
        sa.Column('exceptions', sa.Text(), nullable=False),
        sa.Column('void', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_table(
        'campaign_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('findings', JSON, nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_campaign_review_campaign_id', 'campaign_review', ['campaign_id'])
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_entry_action', 'audit_entry', ['action'])
    op.create_table(
        'plan_limit',
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('contact_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('over_limit', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('contact_import', schema=None) as batch_op:
        batch_op.drop_column('over_limit')
    op.drop_table('plan_limit')
    op.drop_index('ix_audit_entry_action', table_name='audit_entry')
    op.drop_table('audit_entry')
    op.drop_index('ix_campaign_review_campaign_id', table_name='campaign_review')
    op.drop_table('campaign_review')
    op.drop_table('review_category')
    op.drop_table('sender_check')
    with op.batch_alter_table('sender_identity', schema=None) as batch_op:
        for name in ('privacy_url', 'contact_url', 'website_url'):
            batch_op.drop_column(name)
