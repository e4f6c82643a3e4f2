-- Undoes migration 0005 on both databases, dropping what it added with its data.
DROP TABLE seminar_registrations;
DROP TABLE seminars;
