"""open311: API keys of registered client systems, their sender accounts, and the requests they filed

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('open311_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=8), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['oidc_client.id'], name=op.f('fk_open311_key_client_id_oidc_client')),
    sa.ForeignKeyConstraint(['created_by_id'], ['account.id'], name=op.f('fk_open311_key_created_by_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['account.id'], name=op.f('fk_open311_key_revoked_by_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_key')),
    sa.UniqueConstraint('digest', name=op.f('uq_open311_key_digest')),
    sa.UniqueConstraint('public_id', name=op.f('uq_open311_key_public_id'))
    )
    with op.batch_alter_table('open311_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open311_key_client_id'), ['client_id'], unique=False)

    op.create_table('open311_sender',
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_open311_sender_account_id_account')),
    sa.ForeignKeyConstraint(['client_id'], ['oidc_client.id'], name=op.f('fk_open311_sender_client_id_oidc_client')),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_open311_sender')),
    sa.UniqueConstraint('account_id', name=op.f('uq_open311_sender_account_id'))
    )

    op.create_table('open311_request',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address_id', sa.String(length=100), nullable=True),
    sa.Column('media_url', sa.String(length=500), nullable=True),
    sa.Column('first_name', sa.String(length=50), nullable=True),
    sa.Column('last_name', sa.String(length=50), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('device_id', sa.String(length=100), nullable=True),
    sa.Column('account_ref', sa.String(length=100), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_open311_request_case_id_case_file')),
    sa.ForeignKeyConstraint(['client_id'], ['oidc_client.id'], name=op.f('fk_open311_request_client_id_oidc_client')),
    sa.ForeignKeyConstraint(['key_id'], ['open311_key.id'], name=op.f('fk_open311_request_key_id_open311_key')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_open311_request')),
    sa.UniqueConstraint('token', name=op.f('uq_open311_request_token'))
    )
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open311_request_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open311_request_key_id'), ['key_id'], unique=False)


def downgrade():
    with op.batch_alter_table('open311_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open311_request_key_id'))
        batch_op.drop_index(batch_op.f('ix_open311_request_client_id'))

    op.drop_table('open311_request')
    op.drop_table('open311_sender')
    with op.batch_alter_table('open311_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open311_key_client_id'))

    op.drop_table('open311_key')
