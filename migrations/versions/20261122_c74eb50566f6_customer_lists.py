"""customer lists: an index in their order, and a version for the cached Acting On list

Revision ID: c74eb50566f6
Revises: 7115ab51c2b4
Create Date: 2026-11-22 22:11:45.308411

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c74eb50566f6'
down_revision = '7115ab51c2b4'
branch_labels = None
depends_on = None


def upgrade():
    # The customer list and Acting On sort by lower(name), id: an index in that order lets a page stop early.
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_reseller_name'))
    op.create_index('ix_customers_reseller_lower_name', 'customers', ['reseller_id', sa.text('lower(name)'), 'id'])
    with op.batch_alter_table('resellers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customers_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('resellers', schema=None) as batch_op:
        batch_op.drop_column('customers_version')
    op.drop_index('ix_customers_reseller_lower_name', table_name='customers')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_reseller_name'), ['reseller_id', 'name'], unique=False)
