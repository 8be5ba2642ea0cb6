-- 数据存疑: a roster finding that is implausible but not impossible (a join date before the
-- member's 18th birthday, common in old records) imports with a warning and flags the member
-- here, with the reason, until staff in scope have checked it and cleared it (audited).
ALTER TABLE members ADD COLUMN doubt TEXT;

-- Member search by the last four digits of a phone: an index on exactly the expression the
-- search compares (`substr(m.phone, 8)`), so it is a lookup, not a scan, at 100,000 members.
CREATE INDEX members_phone_tail ON members (substr(phone, 8));
