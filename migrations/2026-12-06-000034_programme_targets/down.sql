DROP VIEW programme_target_progress;
DROP VIEW programme_target_projects;
DROP TABLE programme_targets;
