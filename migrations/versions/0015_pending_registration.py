"""pending_registration: a resident's registration waits for the code sent to the mobile number

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=43), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('real_name', sa.String(length=50), nullable=False),
    sa.Column('resident_id_number', sa.String(length=18), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('code_hash', sa.String(length=128), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('code_sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registration')),
    sa.UniqueConstraint('public_id', name=op.f('uq_pending_registration_public_id'))
    )
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registration_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registration_expires_at'))

    op.drop_table('pending_registration')
