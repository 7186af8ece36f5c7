"""enterprise: enterprises, their certifications and members, policies, matches, topic subscriptions

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('enterprise_type', sa.Enum('limited_company', 'joint_stock', 'foreign_invested', 'partnership', 'sole_proprietorship', 'individual_business', 'cooperative', name='enterprisetype', native_enum=False, length=32), nullable=False),
    sa.Column('industry_code', sa.String(length=4), nullable=True),
    sa.Column('industry_section', sa.String(length=1), nullable=True),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('address_zh', sa.String(length=300), nullable=True),
    sa.Column('address_en', sa.String(length=400), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('registered_capital', sa.BigInteger(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('figures_year', sa.Integer(), nullable=True),
    sa.Column('revenue_last_year', sa.BigInteger(), nullable=True),
    sa.Column('rd_spend_last_year', sa.BigInteger(), nullable=True),
    sa.Column('invention_patents', sa.Integer(), nullable=True),
    sa.Column('tax_credit_rating', sa.Enum('A', 'B', 'M', 'C', 'D', name='taxcreditrating', native_enum=False), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['department.id'], name=op.f('fk_enterprise_town_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise')),
    sa.UniqueConstraint('public_id', name=op.f('uq_enterprise_public_id')),
    sa.UniqueConstraint('uscc', name=op.f('uq_enterprise_uscc'))
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_town_id'), ['town_id'], unique=False)

    op.create_table('policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('document_number', sa.String(length=64), nullable=True),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Enum('innovation', 'talent', 'employment', 'digital', 'manufacturing', 'growth', 'g60', 'finance', 'green', name='policytopic', native_enum=False, length=32), nullable=False),
    sa.Column('summary_zh', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=True),
    sa.Column('full_text_zh', sa.Text(), nullable=False),
    sa.Column('full_text_en', sa.Text(), nullable=True),
    sa.Column('benefit_zh', sa.Text(), nullable=False),
    sa.Column('benefit_en', sa.Text(), nullable=True),
    sa.Column('beneficiaries_zh', sa.Text(), nullable=False),
    sa.Column('beneficiaries_en', sa.Text(), nullable=True),
    sa.Column('conditions_zh', sa.Text(), nullable=False),
    sa.Column('conditions_en', sa.Text(), nullable=True),
    sa.Column('payment_time_limit_zh', sa.String(length=200), nullable=True),
    sa.Column('payment_time_limit_en', sa.String(length=300), nullable=True),
    sa.Column('contacts_zh', sa.Text(), nullable=True),
    sa.Column('contacts_en', sa.Text(), nullable=True),
    sa.Column('application_method', sa.Enum('apply_online', 'fast_track', 'granted_without_application', name='applicationmethod', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='policystatus', native_enum=False, length=16), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('clauses', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['account.id'], name=op.f('fk_policy_created_by_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_policy_department_id_department')),
    sa.ForeignKeyConstraint(['published_by_id'], ['account.id'], name=op.f('fk_policy_published_by_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy')),
    sa.UniqueConstraint('public_id', name=op.f('uq_policy_public_id'))
    )
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_policy_status_published', ['status', 'published_at'], unique=False)

    op.create_table('enterprise_certification',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('certification', sa.Enum('high_tech', 'tech_sme', 'innovative_sme', 'specialised_sme', 'little_giant', 'tech_centre', name='certification', native_enum=False, length=32), nullable=False),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_certification_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enterprise_id', 'certification', name=op.f('pk_enterprise_certification'))
    )
    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('legal_representative', 'agent', name='membershiprole', native_enum=False, length=32), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'active', 'revoked', name='membershipstatus', native_enum=False, length=16), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_membership_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_membership_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['account.id'], name=op.f('fk_membership_granted_by_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['account.id'], name=op.f('fk_membership_revoked_by_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('public_id', name=op.f('uq_membership_public_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_account_status', ['account_id', 'status'], unique=False)
        batch_op.create_index('ix_membership_enterprise_status', ['enterprise_id', 'status'], unique=False)

    op.create_table('topic_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Enum('innovation', 'talent', 'employment', 'digital', 'manufacturing', 'growth', 'g60', 'finance', 'green', name='policytopic', native_enum=False, length=32), nullable=False),
    sa.Column('subscribed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_topic_subscription_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscribed_by_id'], ['account.id'], name=op.f('fk_topic_subscription_subscribed_by_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_subscription')),
    sa.UniqueConstraint('enterprise_id', 'topic', name=op.f('uq_topic_subscription_enterprise_id'))
    )
    op.create_table('policy_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.Enum('qualified', 'uncertain', 'not_qualified', name='band', native_enum=False, length=16), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('grant_noted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('grant_case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_policy_match_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grant_case_id'], ['case_file.id'], name=op.f('fk_policy_match_grant_case_id_case_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], name=op.f('fk_policy_match_policy_id_policy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_match')),
    sa.UniqueConstraint('policy_id', 'enterprise_id', name=op.f('uq_policy_match_policy_id'))
    )
    with op.batch_alter_table('policy_match', schema=None) as batch_op:
        batch_op.create_index('ix_policy_match_enterprise_band', ['enterprise_id', 'band'], unique=False)


def downgrade():
    with op.batch_alter_table('policy_match', schema=None) as batch_op:
        batch_op.drop_index('ix_policy_match_enterprise_band')

    op.drop_table('policy_match')
    op.drop_table('topic_subscription')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_enterprise_status')
        batch_op.drop_index('ix_membership_account_status')

    op.drop_table('membership')
    op.drop_table('enterprise_certification')
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_index('ix_policy_status_published')
        batch_op.drop_index(batch_op.f('ix_policy_department_id'))

    op.drop_table('policy')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_town_id'))

    op.drop_table('enterprise')
