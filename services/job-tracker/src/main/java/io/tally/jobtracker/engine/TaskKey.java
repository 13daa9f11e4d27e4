package io.tally.jobtracker.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Names one task of a job: the store key of its {@code TaskRun}, and the reference a task timer carries. The job
 * id is length-prefixed so that a prefix scan for one job never returns another's tasks.
 *
 * @param jobId  the job
 * @param stage  the stage id
 * @param itemId the fan-out element's key, or null for a single task
 */
record TaskKey(String jobId, String stage, String itemId) {

    private static final char SEPARATOR = '\u0000';

    Bytes toBytes() {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        byte[] rest = (stage + SEPARATOR + (itemId == null ? "" : itemId)).getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Integer.BYTES + job.length + rest.length)
                .putInt(job.length).put(job).put(rest).array());
    }

    /** The prefix of every task key of one job. */
    static Bytes jobPrefix(String jobId) {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Integer.BYTES + job.length).putInt(job.length).put(job).array());
    }

    /** A timer reference for one attempt of this task. */
    String ref(int attempt) {
        return String.join(String.valueOf(SEPARATOR), jobId, stage, itemId == null ? "" : itemId,
                Integer.toString(attempt));
    }

    /** The task a timer reference names. */
    static TaskKey ofRef(String ref) {
        String[] parts = ref.split(String.valueOf(SEPARATOR), -1);
        return new TaskKey(parts[0], parts[1], parts[2].isEmpty() ? null : parts[2]);
    }

    /** The attempt a timer reference names. */
    static int attemptOfRef(String ref) {
        return Integer.parseInt(ref.substring(ref.lastIndexOf(SEPARATOR) + 1));
    }
}
