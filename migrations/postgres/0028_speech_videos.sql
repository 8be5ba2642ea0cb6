-- A speech entry's video uploaded into the data directory (as the cloud classroom's recordings
-- are), besides a link: the stored file's random name and its MIME type. While a file is stored,
-- `video_url` is the entry's own `/speech/entries/{id}/video`.
ALTER TABLE speech_entries ADD COLUMN video_file TEXT NOT NULL DEFAULT '';
ALTER TABLE speech_entries ADD COLUMN video_mime TEXT NOT NULL DEFAULT '';
