"""Saved segments (a campaign's optional audience) and recurring (optionally feed-driven)
campaign series with their run log

Revision ID: 0016_segments
Revises: 0015_screens
Create Date: 2026-11-29 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0016_segments'
down_revision = '0015_screens'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'segment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column('definition', JSON, nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_segment_created_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_segment')),
    )
    op.create_table(
        'recurring_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('template_campaign_id', sa.Integer(), nullable=False),
        sa.Column('cron', sa.String(length=100), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('next_run_at', sa.DateTime(), nullable=True),
        sa.Column('last_run_at', sa.DateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('feed_url', sa.String(length=1000), nullable=True),
        sa.Column('feed_allow_private', sa.Boolean(), server_default=sa.false(),
                  nullable=False),
        sa.Column('feed_etag', sa.String(length=300), nullable=True),
        sa.Column('feed_last_modified', sa.String(length=100), nullable=True),
        sa.Column('feed_seen', JSON, server_default='[]', nullable=False),
        sa.ForeignKeyConstraint(['template_campaign_id'], ['campaign.id'],
                                name=op.f('fk_recurring_series_template_campaign_id_campaign'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_recurring_series_created_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_series')),
        sa.UniqueConstraint('template_campaign_id',
                            name=op.f('uq_recurring_series_template_campaign_id')),
    )
    with op.batch_alter_table('recurring_series', schema=None) as batch_op:
        batch_op.create_index('ix_recurring_series_paused_next_run_at',
                              ['paused', 'next_run_at'], unique=False)
    op.create_table(
        'recurring_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=300), server_default=sa.text("''"), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['series_id'], ['recurring_series.id'],
                                name=op.f('fk_recurring_run_series_id_recurring_series'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_recurring_run_campaign_id_campaign'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_run')),
    )
    with op.batch_alter_table('recurring_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_run_series_id'), ['series_id'],
                              unique=False)
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_campaign_segment_id_segment'), 'segment',
                                    ['segment_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_campaign_series_id_recurring_series'),
                                    'recurring_series', ['series_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_campaign_series_id'), ['series_id'], unique=False)
    # segment conditions on engagement: a contact's clicks go through its deliveries
    with op.batch_alter_table('click', schema=None) as batch_op:
        batch_op.create_index('ix_click_delivery_id_clicked_at', ['delivery_id', 'clicked_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('click', schema=None) as batch_op:
        batch_op.drop_index('ix_click_delivery_id_clicked_at')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_series_id'))
        batch_op.drop_constraint(batch_op.f('fk_campaign_series_id_recurring_series'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_campaign_segment_id_segment'),
                                 type_='foreignkey')
        batch_op.drop_column('series_id')
        batch_op.drop_column('segment_id')
    with op.batch_alter_table('recurring_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recurring_run_series_id'))
    op.drop_table('recurring_run')
    with op.batch_alter_table('recurring_series', schema=None) as batch_op:
        batch_op.drop_index('ix_recurring_series_paused_next_run_at')
    op.drop_table('recurring_series')
    op.drop_table('segment')
