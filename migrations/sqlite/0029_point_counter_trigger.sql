-- The point_daily and point_items counters are kept by a trigger on the ledger instead of by
-- two upserts the application sent after every entry: an award that needs no totals first is
-- then one statement (points::earn::insert_simple), which is what a check-in pays for its
-- points (issue 9: check-in throughput with points within 10 % of without). Every entry —
-- award, correction, batch row — adds its points to its member's (kind, day) and (kind, item)
-- rows, exactly as the application did.
CREATE TRIGGER point_entries_counters AFTER INSERT ON point_entries
BEGIN
    INSERT INTO point_daily (member_id, kind, earned_on, total)
    VALUES (NEW.member_id, NEW.kind, NEW.earned_on, NEW.points)
    ON CONFLICT (member_id, kind, earned_on) DO UPDATE SET total = point_daily.total + excluded.total;
    INSERT INTO point_items (member_id, kind, item_key, total)
    VALUES (NEW.member_id, NEW.kind, NEW.item_key, NEW.points)
    ON CONFLICT (member_id, kind, item_key) DO UPDATE SET total = point_items.total + excluded.total;
END;
