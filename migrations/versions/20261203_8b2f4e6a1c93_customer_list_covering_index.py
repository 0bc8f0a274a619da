"""customers: the list's index carries what the list shows and searches (PostgreSQL)

Revision ID: 8b2f4e6a1c93
Revises: 3d1e0c5b7a42
Create Date: 2026-12-03 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b2f4e6a1c93'
down_revision = '3d1e0c5b7a42'
branch_labels = None
depends_on = None

ORDER = ['reseller_id', sa.text('lower(name)'), 'id']


def upgrade():
    op.create_index('ix_customers_reseller_list', 'customers', ORDER,
                    postgresql_include=['name', 'contact_email', 'billing_email', 'vat_number'])
    op.drop_index('ix_customers_reseller_lower_name', table_name='customers')


def downgrade():
    op.create_index('ix_customers_reseller_lower_name', 'customers', ORDER)
    op.drop_index('ix_customers_reseller_list', table_name='customers')
