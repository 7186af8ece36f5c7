"""api: department systems' own accounts (client credentials) and idempotency keys of the JSON API

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('oidc_client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_account_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_oidc_client_service_account_id'), ['service_account_id'])
        batch_op.create_foreign_key(batch_op.f('fk_oidc_client_service_account_id_account'), 'account',
                                    ['service_account_id'], ['id'], ondelete='SET NULL')

    op.create_table('api_idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_pk', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_api_idempotency_key_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_pk'], ['oidc_client.id'], name=op.f('fk_api_idempotency_key_client_pk_oidc_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_key')),
    sa.UniqueConstraint('client_pk', 'account_id', 'key', name=op.f('uq_api_idempotency_key_client_pk'))
    )
    with op.batch_alter_table('api_idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotency_key_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_idempotency_key_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('api_idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotency_key_expires_at'))
        batch_op.drop_index(batch_op.f('ix_api_idempotency_key_account_id'))

    op.drop_table('api_idempotency_key')

    with op.batch_alter_table('oidc_client', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_oidc_client_service_account_id_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_oidc_client_service_account_id'), type_='unique')
        batch_op.drop_column('service_account_id')
