"""open_data: published snapshots of the open datasets served at /data

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('open_data_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('preview', sa.JSON(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('withheld_cells', sa.Integer(), nullable=False),
    sa.Column('temporal_start', sa.Date(), nullable=True),
    sa.Column('temporal_end', sa.Date(), nullable=True),
    sa.Column('publisher', sa.JSON(), nullable=False),
    sa.Column('csv_data', sa.LargeBinary(), nullable=False),
    sa.Column('json_data', sa.LargeBinary(), nullable=False),
    sa.Column('csv_size', sa.Integer(), nullable=False),
    sa.Column('json_size', sa.Integer(), nullable=False),
    sa.Column('csv_sha256', sa.String(length=64), nullable=False),
    sa.Column('json_sha256', sa.String(length=64), nullable=False),
    sa.Column('issued', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modified', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_data_snapshot')),
    sa.UniqueConstraint('slug', name=op.f('uq_open_data_snapshot_slug'))
    )


def downgrade():
    op.drop_table('open_data_snapshot')
