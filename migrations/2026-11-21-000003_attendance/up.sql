-- Attendance: a participant's part in an activity of the same project, with an
-- outcome, so that "40 persons trained" is a count of completed attendance.
CREATE TABLE attendance (
    id              BIGSERIAL PRIMARY KEY,
    participant_id  BIGINT NOT NULL REFERENCES participants (id),
    activity_id     BIGINT NOT NULL REFERENCES activities (id),
    started_on      DATE,
    ended_on        DATE,
    outcome         TEXT NOT NULL DEFAULT 'ongoing' CHECK (outcome IN ('ongoing', 'completed', 'dropped_out')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT attendance_participant_activity_key UNIQUE (participant_id, activity_id),
    CONSTRAINT attendance_date_range CHECK (started_on IS NULL OR ended_on IS NULL OR started_on <= ended_on)
);
CREATE INDEX attendance_activity_id_idx ON attendance (activity_id);
CREATE TRIGGER attendance_set_updated_at BEFORE UPDATE ON attendance FOR EACH ROW EXECUTE FUNCTION set_updated_at();
