package dev.streamfold.ingest.capture;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Checks made before each start of the capture, so that a slot that is gone fails fast and says so. Without them,
 * Debezium would create a new slot at the server's current position and resume from there: every change made since
 * the old slot went (dropped by hand, or its WAL removed past {@code max_slot_wal_keep_size}) would be skipped
 * without a word.
 */
final class CaptureGuard {

    /** No checks: for captures that make their own slots (tests). */
    static final CaptureGuard NONE = new CaptureGuard(null, null);

    private final ReplicationSlot slot;
    private final CommittedPosition position;

    CaptureGuard(ReplicationSlot slot, CommittedPosition position) {
        this.slot = slot;
        this.position = position;
    }

    /**
     * @throws SlotLostException if the capture has a position to resume from but no slot to resume it with
     * @throws SQLException      if the database cannot be asked (worth retrying)
     */
    void beforeStart() throws SQLException {
        if (slot == null) {
            return;
        }
        slot.ensureHeartbeatTable();
        Optional<ReplicationSlot.Status> status = slot.status();
        if (status.isPresent() && status.get().lost()) {
            throw new SlotLostException("the WAL that replication slot " + slot.name() + " needs has been removed"
                    + " (wal_status 'lost', see max_slot_wal_keep_size): changes since its last confirmed position "
                    + status.get().confirmedLsn() + " can no longer be captured. " + REMEDY);
        }
        if (status.isEmpty()) {
            Optional<String> resumeFrom = position.read();
            if (resumeFrom.isPresent()) {
                throw new SlotLostException("replication slot " + slot.name() + " does not exist, but the capture has a"
                        + " position to resume from (" + resumeFrom.get() + "): the changes since then are gone from"
                        + " PostgreSQL's reach. " + REMEDY);
            }
        }
    }

    private static final String REMEDY = "To capture again, drop the slot if it is still there, delete the capture's"
            + " position (the offsets topic, ingest.offsets-topic) so that it snapshots the tables anew, and start the"
            + " service; consumers take the snapshot's rows as the current state (each order change once, by version).";

    /** Not worth retrying: only an operator can decide how to capture again. */
    static final class SlotLostException extends RuntimeException {
        SlotLostException(String message) {
            super(message);
        }
    }
}
