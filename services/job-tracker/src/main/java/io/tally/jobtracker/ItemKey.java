package io.tally.jobtracker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Key of the per-item dedupe store: the job id's length, the job id, then the item id. The length prefix makes a
 * job's prefix unambiguous, so a prefix scan for job "a" never returns items of job "a/b", whatever the ids contain.
 */
final class ItemKey {

    private ItemKey() {
    }

    static Bytes of(String jobId, String itemId) {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        byte[] item = itemId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Integer.BYTES + job.length + item.length).putInt(job.length).put(job).put(item).array());
    }

    /** The prefix shared by every item key of one job. */
    static Bytes jobPrefix(String jobId) {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Integer.BYTES + job.length).putInt(job.length).put(job).array());
    }
}
