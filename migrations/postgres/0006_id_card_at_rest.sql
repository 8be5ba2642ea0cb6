-- ID-card numbers at rest: encrypted (`id_card_sealed`, XChaCha20-Poly1305 with a random nonce per
-- value) and found by a keyed digest (`id_card_hash`, HMAC-SHA256), which carries the UNIQUE
-- constraint the plain column had. The key lives in a file outside the database; SQL cannot
-- encrypt, so the application seals existing plain numbers on its first start after this
-- migration and empties `members.id_card`, which nothing writes any more. `id_card_key` holds the
-- key's fingerprint (never the key), so a start with another key file is refused.
ALTER TABLE members ADD COLUMN id_card_sealed TEXT;
ALTER TABLE members ADD COLUMN id_card_hash TEXT;
CREATE UNIQUE INDEX members_id_card_hash ON members(id_card_hash);

CREATE TABLE id_card_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);
