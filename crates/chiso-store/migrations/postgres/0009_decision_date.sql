-- The day the decision approving a publication was signed (YYYY-MM-DD), when the
-- administrator gives it: the date pages show as the publication's date.
ALTER TABLE publications ADD COLUMN decided_on TEXT;
