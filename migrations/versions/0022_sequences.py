"""Welcome and drip sequences: steps, enrolments and the campaigns that carry each step

Revision ID: 0022_sequences
Revises: 0024_api_more
Create Date: 2026-11-29 22:49:07.523107

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_sequences'
down_revision = '0024_api_more'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drip_sequence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('date_attribute', sa.String(length=64), server_default=sa.text("''"), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
    sa.Column('activated_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_drip_sequence_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_drip_sequence_list_id_mailing_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_drip_sequence_segment_id_segment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drip_sequence'))
    )
    with op.batch_alter_table('drip_sequence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drip_sequence_list_id'), ['list_id'], unique=False)

    op.create_table('sequence_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sequence_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('next_position', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('waiting_since', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.String(length=200), server_default=sa.text("''"), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_sequence_enrolment_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sequence_id'], ['drip_sequence.id'], name=op.f('fk_sequence_enrolment_sequence_id_drip_sequence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sequence_enrolment')),
    sa.UniqueConstraint('sequence_id', 'contact_id', 'cycle', name=op.f('uq_sequence_enrolment_sequence_id_contact_id_cycle'))
    )
    with op.batch_alter_table('sequence_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sequence_enrolment_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_sequence_enrolment_due', ['sequence_id', 'state', 'next_position', 'waiting_since'], unique=False)

    op.create_table('sequence_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sequence_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('delay_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('template_campaign_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sequence_id'], ['drip_sequence.id'], name=op.f('fk_sequence_step_sequence_id_drip_sequence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_campaign_id'], ['campaign.id'], name=op.f('fk_sequence_step_template_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sequence_step')),
    sa.UniqueConstraint('sequence_id', 'position', name=op.f('uq_sequence_step_sequence_id_position')),
    sa.UniqueConstraint('template_campaign_id', name=op.f('uq_sequence_step_template_campaign_id'))
    )
    op.create_table('sequence_step_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_sequence_step_campaign_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['sequence_step.id'], name=op.f('fk_sequence_step_campaign_step_id_sequence_step'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sequence_step_campaign')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_sequence_step_campaign_campaign_id')),
    sa.UniqueConstraint('step_id', 'cycle', name=op.f('uq_sequence_step_campaign_step_id_cycle'))
    )


def downgrade():
    op.drop_table('sequence_step_campaign')
    op.drop_table('sequence_step')
    with op.batch_alter_table('sequence_enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_sequence_enrolment_due')
        batch_op.drop_index(batch_op.f('ix_sequence_enrolment_contact_id'))

    op.drop_table('sequence_enrolment')
    with op.batch_alter_table('drip_sequence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drip_sequence_list_id'))

    op.drop_table('drip_sequence')
