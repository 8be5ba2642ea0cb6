-- Online study by a member identified only by name and phone (no login) is what the member
-- declared: anyone who knows a name and phone can claim it. Lists and exports mark it 自报.
ALTER TABLE attendances ADD COLUMN self_declared BOOLEAN NOT NULL DEFAULT FALSE;
