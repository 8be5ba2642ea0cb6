-- Points earned by online study that a member declared by name and phone alone (自报, see 0007)
-- carry the same flag, so every list of points entries can mark them.
ALTER TABLE point_entries ADD COLUMN self_declared BOOLEAN NOT NULL DEFAULT FALSE;
