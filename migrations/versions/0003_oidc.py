"""oidc: the OpenID Connect provider's clients, codes, tokens, consents, nonces and signing keys

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oidc_signing_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('alg', sa.String(length=10), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_signing_key')),
    sa.UniqueConstraint('kid', name=op.f('uq_oidc_signing_key_kid'))
    )
    op.create_index(op.f('ix_oidc_signing_key_created_at'), 'oidc_signing_key', ['created_at'], unique=False)

    op.create_table('oidc_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('secret_hash', sa.String(length=128), nullable=True),
    sa.Column('secret_rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('redirect_uris', sa.JSON(), nullable=False),
    sa.Column('post_logout_redirect_uris', sa.JSON(), nullable=False),
    sa.Column('allowed_scopes', sa.String(length=255), nullable=False),
    sa.Column('first_party', sa.Boolean(), nullable=False),
    sa.Column('resource_server', sa.Boolean(), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['account.id'], name=op.f('fk_oidc_client_created_by_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_oidc_client_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_client')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oidc_client_client_id'))
    )
    op.create_index(op.f('ix_oidc_client_department_id'), 'oidc_client', ['department_id'], unique=False)

    op.create_table('oidc_authorization_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_pk', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('redirect_uri', sa.String(length=500), nullable=False),
    sa.Column('scope', sa.String(length=255), nullable=False),
    sa.Column('nonce', sa.String(length=255), nullable=True),
    sa.Column('code_challenge', sa.String(length=128), nullable=True),
    sa.Column('code_challenge_method', sa.String(length=10), nullable=True),
    sa.Column('auth_time', sa.Integer(), nullable=False),
    sa.Column('acr', sa.String(length=64), nullable=False),
    sa.Column('amr', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('family_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_oidc_authorization_code_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['account.id'], name=op.f('fk_oidc_authorization_code_actor_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_pk'], ['oidc_client.id'], name=op.f('fk_oidc_authorization_code_client_pk_oidc_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_authorization_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_oidc_authorization_code_code_hash'))
    )
    op.create_index(op.f('ix_oidc_authorization_code_account_id'), 'oidc_authorization_code', ['account_id'], unique=False)
    op.create_index(op.f('ix_oidc_authorization_code_client_pk'), 'oidc_authorization_code', ['client_pk'], unique=False)
    op.create_index(op.f('ix_oidc_authorization_code_expires_at'), 'oidc_authorization_code', ['expires_at'], unique=False)
    op.create_index(op.f('ix_oidc_authorization_code_family_id'), 'oidc_authorization_code', ['family_id'], unique=False)

    op.create_table('oidc_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('client_pk', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=255), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_oidc_consent_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_pk'], ['oidc_client.id'], name=op.f('fk_oidc_consent_client_pk_oidc_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_consent')),
    sa.UniqueConstraint('account_id', 'client_pk', name=op.f('uq_oidc_consent_account_id'))
    )
    op.create_index(op.f('ix_oidc_consent_account_id'), 'oidc_consent', ['account_id'], unique=False)
    op.create_index(op.f('ix_oidc_consent_client_pk'), 'oidc_consent', ['client_pk'], unique=False)

    op.create_table('oidc_nonce',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_pk', sa.Integer(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_pk'], ['oidc_client.id'], name=op.f('fk_oidc_nonce_client_pk_oidc_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_nonce')),
    sa.UniqueConstraint('client_pk', 'nonce_hash', name=op.f('uq_oidc_nonce_client_pk'))
    )
    op.create_index(op.f('ix_oidc_nonce_expires_at'), 'oidc_nonce', ['expires_at'], unique=False)

    op.create_table('oidc_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_pk', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('family_id', sa.String(length=32), nullable=False),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('refresh_token_hash', sa.String(length=64), nullable=True),
    sa.Column('scope', sa.String(length=255), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('access_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refresh_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_oidc_token_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['account.id'], name=op.f('fk_oidc_token_actor_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_pk'], ['oidc_client.id'], name=op.f('fk_oidc_token_client_pk_oidc_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_token')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_oidc_token_access_token_hash')),
    sa.UniqueConstraint('refresh_token_hash', name=op.f('uq_oidc_token_refresh_token_hash'))
    )
    op.create_index(op.f('ix_oidc_token_account_id'), 'oidc_token', ['account_id'], unique=False)
    op.create_index(op.f('ix_oidc_token_client_pk'), 'oidc_token', ['client_pk'], unique=False)
    op.create_index(op.f('ix_oidc_token_family_id'), 'oidc_token', ['family_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_oidc_token_family_id'), table_name='oidc_token')
    op.drop_index(op.f('ix_oidc_token_client_pk'), table_name='oidc_token')
    op.drop_index(op.f('ix_oidc_token_account_id'), table_name='oidc_token')

    op.drop_table('oidc_token')
    op.drop_index(op.f('ix_oidc_nonce_expires_at'), table_name='oidc_nonce')

    op.drop_table('oidc_nonce')
    op.drop_index(op.f('ix_oidc_consent_client_pk'), table_name='oidc_consent')
    op.drop_index(op.f('ix_oidc_consent_account_id'), table_name='oidc_consent')

    op.drop_table('oidc_consent')
    op.drop_index(op.f('ix_oidc_authorization_code_family_id'), table_name='oidc_authorization_code')
    op.drop_index(op.f('ix_oidc_authorization_code_expires_at'), table_name='oidc_authorization_code')
    op.drop_index(op.f('ix_oidc_authorization_code_client_pk'), table_name='oidc_authorization_code')
    op.drop_index(op.f('ix_oidc_authorization_code_account_id'), table_name='oidc_authorization_code')

    op.drop_table('oidc_authorization_code')
    op.drop_index(op.f('ix_oidc_client_department_id'), table_name='oidc_client')

    op.drop_table('oidc_client')
    op.drop_index(op.f('ix_oidc_signing_key_created_at'), table_name='oidc_signing_key')

    op.drop_table('oidc_signing_key')
