"""sealed files stored in chunks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:00:00

A sealed case with large attachments was one blob: written and read whole, in memory. Its bytes
now sit in `sealed_chunks` (1 MiB each, in order); `sealed_files` keeps the size and the count.
Existing files are moved over one at a time.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHUNK = 1024 * 1024


def upgrade() -> None:
    op.create_table('sealed_chunks',
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['reference'], ['cases.reference'], name=op.f('fk_sealed_chunks_reference_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reference', 'number', 'seq', name=op.f('pk_sealed_chunks'))
    )
    with op.batch_alter_table('sealed_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('chunks', sa.Integer(), nullable=True))
    files = sa.table(
        'sealed_files', sa.column('reference'), sa.column('number'), sa.column('sealed'),
        sa.column('size'), sa.column('chunks'),
    )
    chunks = sa.table(
        'sealed_chunks', sa.column('reference'), sa.column('number'), sa.column('seq'),
        sa.column('data'),
    )
    bind = op.get_bind()
    keys = bind.execute(sa.select(files.c.reference, files.c.number)).all()
    for reference, number in keys:
        mine = (files.c.reference == reference) & (files.c.number == number)
        sealed = bind.execute(sa.select(files.c.sealed).where(mine)).scalar_one()
        pieces = [sealed[i:i + CHUNK] for i in range(0, len(sealed), CHUNK)] or [b'']
        for seq, piece in enumerate(pieces):
            bind.execute(sa.insert(chunks).values(
                reference=reference, number=number, seq=seq, data=piece))
        bind.execute(sa.update(files).where(mine).values(size=len(sealed), chunks=len(pieces)))
    with op.batch_alter_table('sealed_files', schema=None) as batch_op:
        batch_op.alter_column('size', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('chunks', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('sealed')


def downgrade() -> None:
    with op.batch_alter_table('sealed_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.LargeBinary(), nullable=True))
    files = sa.table('sealed_files', sa.column('reference'), sa.column('number'),
                     sa.column('sealed'))
    chunks = sa.table('sealed_chunks', sa.column('reference'), sa.column('number'),
                      sa.column('seq'), sa.column('data'))
    bind = op.get_bind()
    keys = bind.execute(sa.select(files.c.reference, files.c.number)).all()
    for reference, number in keys:
        pieces = bind.execute(
            sa.select(chunks.c.data)
            .where(chunks.c.reference == reference, chunks.c.number == number)
            .order_by(chunks.c.seq)
        ).scalars().all()
        mine = (files.c.reference == reference) & (files.c.number == number)
        bind.execute(sa.update(files).where(mine).values(sealed=b''.join(pieces)))
    with op.batch_alter_table('sealed_files', schema=None) as batch_op:
        batch_op.alter_column('sealed', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('chunks')
        batch_op.drop_column('size')
    op.drop_table('sealed_chunks')
