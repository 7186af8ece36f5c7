"""jobs: the pending_job table (background jobs not yet run or queued)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('func', sa.String(length=200), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('kwargs', sa.JSON(), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_job'))
    )
    with op.batch_alter_table('pending_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_job_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_job_run_after'), ['run_after'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_job_run_after'))
        batch_op.drop_index(batch_op.f('ix_pending_job_failed_at'))

    op.drop_table('pending_job')
