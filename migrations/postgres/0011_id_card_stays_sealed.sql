-- The plain `members.id_card` column is retired (0006): numbers live sealed in `id_card_sealed`.
-- The column stays (the same shape as SQLite's, which cannot drop it cheaply), and this trigger
-- makes sure nothing ever writes a plain number into it again — a bug or a hand-written INSERT
-- fails loudly instead of leaving a readable ID-card number at rest. Emptying it (what the
-- first-start sealing does) stays allowed.
CREATE FUNCTION members_id_card_stays_sealed() RETURNS trigger AS $$
BEGIN
    IF NEW.id_card IS NOT NULL AND NEW.id_card <> '' THEN
        RAISE EXCEPTION 'members.id_card is retired: ID-card numbers are stored sealed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER members_id_card_stays_sealed
BEFORE INSERT OR UPDATE OF id_card ON members
FOR EACH ROW EXECUTE FUNCTION members_id_card_stays_sealed();
