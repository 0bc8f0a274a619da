"""member counters: subscriptions.assigned and resellers.users_assigned

Revision ID: 7115ab51c2b4
Revises: b061d7c772e6
Create Date: 2026-11-22 21:59:39.136803

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7115ab51c2b4'
down_revision = 'b061d7c772e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('resellers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('users_assigned', sa.Integer(), server_default='0', nullable=False))
    # Count the members already given, as domain.customers.recount_members does.
    op.execute("""
        UPDATE subscriptions SET assigned = (
            SELECT count(*) FROM members
            WHERE members.subscription_id = subscriptions.id AND members.status != 'removed')
    """)
    op.execute("""
        UPDATE resellers SET users_assigned = (
            SELECT coalesce(sum(subscriptions.assigned), 0) FROM subscriptions
            JOIN customers ON customers.id = subscriptions.customer_id
            WHERE customers.reseller_id = resellers.id)
    """)


def downgrade():
    with op.batch_alter_table('resellers', schema=None) as batch_op:
        batch_op.drop_column('users_assigned')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('assigned')
