"""invoices: the reseller index covers the vendor's reseller list sums

Revision ID: 3d1e0c5b7a42
Revises: 59666867bd8f
Create Date: 2026-12-02 04:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3d1e0c5b7a42'
down_revision = '59666867bd8f'
branch_labels = None
depends_on = None

COLUMNS = ['reseller_id', 'issued_on', 'status', 'due_on', 'net_minor', 'gross_minor', 'paid_minor',
           'credited_minor']


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_reseller_sums', COLUMNS, unique=False)
        batch_op.drop_index('ix_invoices_reseller_issued')


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_reseller_issued', ['reseller_id', 'issued_on'], unique=False)
        batch_op.drop_index('ix_invoices_reseller_sums')
