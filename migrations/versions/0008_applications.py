"""applications: drafts of online applications (一网通办) to come back to

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('application_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_application_draft_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service_guide.id'], name=op.f('fk_application_draft_service_id_service_guide'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['account.id'], name=op.f('fk_application_draft_subject_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_draft')),
    sa.UniqueConstraint('public_id', name=op.f('uq_application_draft_public_id'))
    )
    with op.batch_alter_table('application_draft', schema=None) as batch_op:
        batch_op.create_index('ix_application_draft_account_subject', ['account_id', 'subject_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_draft_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_draft_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_draft_subject_id'))
        batch_op.drop_index(batch_op.f('ix_application_draft_service_id'))
        batch_op.drop_index('ix_application_draft_account_subject')

    op.drop_table('application_draft')
