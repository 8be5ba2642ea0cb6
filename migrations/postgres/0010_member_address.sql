-- 住址: where a member lives, so a volunteer studying with them at home (送学上门) finds the
-- door. Personal data: shown to staff in scope and to the assignee of an open door-to-door task.
ALTER TABLE members ADD COLUMN address TEXT;
