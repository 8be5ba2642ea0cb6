-- The plain `members.id_card` column is retired (0006): numbers live sealed in `id_card_sealed`.
-- SQLite cannot drop a column that an index once used without rebuilding the table, so the
-- column stays, and these triggers make sure nothing ever writes a plain number into it again —
-- a bug or a hand-written INSERT fails loudly instead of leaving a readable ID-card number at
-- rest. Emptying it (what the first-start sealing does) stays allowed.
CREATE TRIGGER members_id_card_stays_sealed_on_insert
BEFORE INSERT ON members
WHEN NEW.id_card IS NOT NULL AND NEW.id_card <> ''
BEGIN
    SELECT RAISE(ABORT, 'members.id_card is retired: ID-card numbers are stored sealed');
END;

CREATE TRIGGER members_id_card_stays_sealed_on_update
BEFORE UPDATE OF id_card ON members
WHEN NEW.id_card IS NOT NULL AND NEW.id_card <> ''
BEGIN
    SELECT RAISE(ABORT, 'members.id_card is retired: ID-card numbers are stored sealed');
END;
